using System.Diagnostics;
using Podlift.Agent.Hosting;
using Podlift.Agent.Machine;

namespace Podlift.Agent.Hooks;

/// <summary>How one hook command ended: its exit code (-1 when it timed out) and the last lines it wrote.</summary>
public sealed record ShellRun(int ExitCode, bool TimedOut, IReadOnlyList<string> Output);

/// <summary>Runs one hook command with `sh -c`. The real one is <see cref="HookShell"/>.</summary>
public interface IHookShell
{
    Task<ShellRun> RunAsync(string command, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// Runs a hook as `setsid /bin/sh -c command`: the shell leads a session and process group of its own, which
/// holds every process it starts, in the foreground or in the background. On timeout (or when the deploy is
/// cancelled) that whole group is killed; a process that left it (a daemon that called setsid itself) is not.
/// The hook is done when its shell exits: its output is then read for <paramref name="pipeGrace"/> at most,
/// so a background child that keeps the pipes open (`nohup worker &`) does not hold the deploy; that child runs
/// on, and what it writes later is read and thrown away. Output is kept as the last lines of each stream
/// (<see cref="BoundedOutput"/>), whatever the hook writes.
/// </summary>
public sealed class HookShell(TimeSpan pipeGrace) : IHookShell
{
    public const int OutputLines = 30;
    private const int OutputChars = 64 * 1024;
    private const string Setsid = "/usr/bin/setsid";

    public static readonly TimeSpan DefaultPipeGrace = TimeSpan.FromSeconds(2);

    public HookShell() : this(DefaultPipeGrace) { }

    public async Task<ShellRun> RunAsync(string command, IReadOnlyDictionary<string, string> environment, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var process = Process.Start(StartInfo(command, environment)) ?? throw new InvalidOperationException($"could not start {Setsid}");
        process.StandardInput.Close();
        var stdout = new BoundedOutput(OutputLines, OutputChars);
        var stderr = new BoundedOutput(OutputLines, OutputChars);
        var reading = Task.WhenAll(ReadAsync(process.StandardOutput, stdout), ReadAsync(process.StandardError, stderr));

        var timedOut = await WaitOrKillAsync(process, timeout, cancellationToken);
        await Task.WhenAny(reading, Task.Delay(pipeGrace, CancellationToken.None));
        var run = new ShellRun(timedOut ? -1 : process.ExitCode, timedOut, [.. stdout.Lines(), .. stderr.Lines()]);
        stdout.Close();
        stderr.Close();
        _ = reading.ContinueWith(_ => process.Dispose(), TaskScheduler.Default);
        cancellationToken.ThrowIfCancellationRequested();
        return run;
    }

    private ProcessStartInfo StartInfo(string command, IReadOnlyDictionary<string, string> environment)
    {
        // --wait: were setsid to fork (only when started as a group leader, which a child of the agent is not), it waits
        var start = new ProcessStartInfo(Setsid)
        {
            ArgumentList = { "--wait", "/bin/sh", "-c", command },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        RemoveAgentRuntimeSettings(start.Environment);
        AddAccount(start.Environment);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return start;
    }

    /// <summary>Waits for the shell to exit; past the timeout (or cancelled) its whole process group is killed. True when it timed out.</summary>
    private static async Task<bool> WaitOrKillAsync(Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            KillGroup(process);
            await process.WaitForExitAsync(CancellationToken.None);
            return !cancellationToken.IsCancellationRequested;
        }
    }

    /// <summary>
    /// The agent's unit (deploy/dist/podlift-agent.service) tunes the agent's own .NET runtime with DOTNET_ variables, a 256 MB
    /// heap limit among them: a hook that runs a .NET program of the app (a migration) gets that program's defaults instead.
    /// A hook's own environment may still name such a variable.
    /// </summary>
    private static void RemoveAgentRuntimeSettings(IDictionary<string, string?> environment)
    {
        foreach (var name in environment.Keys.Where(IsRuntimeSetting).ToList()) environment.Remove(name);
    }

    private static bool IsRuntimeSetting(string name) =>
        name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Who the hook runs as, when the agent's environment does not say: systemd sets HOME, USER and LOGNAME only for
    /// a service with User=, and the laptop's are never sent.
    /// </summary>
    private static void AddAccount(IDictionary<string, string?> environment)
    {
        environment.TryAdd("HOME", Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        environment.TryAdd("USER", Environment.UserName);
        environment.TryAdd("LOGNAME", Environment.UserName);
    }

    private static async Task ReadAsync(StreamReader reader, BoundedOutput output)
    {
        var buffer = new char[8192];
        try
        {
            while (await reader.ReadAsync(buffer, CancellationToken.None) is var read and > 0) output.Append(buffer.AsSpan(0, read));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the pipe broke: what was read is what there is
        }
    }

    private static void KillGroup(Process process)
    {
        if (UnixNative.KillProcessGroup(process.Id)) return;
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already gone
    }
}

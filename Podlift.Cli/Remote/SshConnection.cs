using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;

namespace Podlift.Cli.Remote;

/// <summary>
/// One SSH connection to one server for the length of a podlift run: a control master that every
/// remote command reuses, forwarding a local unix socket to the agent's. It lives as a child of this
/// process and ends with it.
/// </summary>
public sealed class SshConnection : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _master;
    private readonly StringBuilder _masterErrors = new();
    private readonly string _controlPath;

    private SshConnection(ServerConfig server, SshTarget target, SshSettings settings, string directory)
    {
        Server = server;
        Target = target;
        Settings = settings;
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{server.User}@{server.Host}:{server.Port}")))[..10].ToLowerInvariant();
        _controlPath = SocketDirectory.RequireFits(Path.Combine(directory, $"{key}-{Environment.ProcessId}.ctl"), SocketDirectory.SshTemporarySuffix);
        AgentSocket = SocketDirectory.RequireFits(Path.Combine(directory, $"{key}-{Environment.ProcessId}.agent"));
        _master = new Process { StartInfo = LocalProcess.StartInfo("ssh", SshArguments.Master(server, settings.ConfigFile, _controlPath, AgentSocket)) };
    }

    public ServerConfig Server { get; }

    /// <summary>Who ssh logs in as, where to, as `ssh -G` said before connecting.</summary>
    public SshTarget Target { get; }

    public SshSettings Settings { get; }

    /// <summary>The local end of the forwarded agent socket.</summary>
    public string AgentSocket { get; }

    public int MasterProcessId => _master.Id;

    public static async Task<SshConnection> OpenAsync(ServerConfig server, SshSettings settings, CancellationToken cancellationToken)
    {
        var directory = SocketDirectory.Ensure(SocketDirectory.Default);
        var connection = new SshConnection(server, await ResolveAsync(server, settings, cancellationToken), settings, directory);
        settings.Trace?.Invoke($"ssh {string.Join(' ', connection._master.StartInfo.ArgumentList)}");
        try
        {
            connection._master.Start();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw SshNotFound();
        }
        connection._master.ErrorDataReceived += (_, line) => { if (line.Data is not null) lock (connection._masterErrors) connection._masterErrors.AppendLine(line.Data); };
        connection._master.BeginErrorReadLine();
        connection._master.StandardInput.Close();
        await connection.WaitUntilReadyAsync(cancellationToken);
        return connection;
    }

    /// <summary>What ssh will use for the server (its config, with podlift's -l/-p/-i), as `ssh -G` prints it without connecting.</summary>
    public static async Task<SshTarget> ResolveAsync(ServerConfig server, SshSettings settings, CancellationToken cancellationToken)
    {
        var arguments = SshArguments.Resolve(server, settings.ConfigFile);
        settings.Trace?.Invoke($"ssh {string.Join(' ', arguments)}");
        var result = await LocalProcess.RunAsync("ssh", arguments, cancellationToken: cancellationToken);
        if (result.ExitCode == LocalProcess.NotFound) throw SshNotFound();
        if (!result.Succeeded)
        {
            var complaint = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(line => !line.StartsWith("Pseudo-terminal", StringComparison.Ordinal)) ?? $"exit {result.ExitCode}";
            throw new ConnectionException($"{server.Host}: ssh cannot read its configuration for this host: {complaint}",
                $"fix what it names (in ~/.ssh/config, or the file PODLIFT_SSH_CONFIG names), then check with `ssh -G {server.Host}`");
        }
        return SshTarget.Parse(server.Host, result.StandardOutput);
    }

    private static ConnectionException SshNotFound() =>
        new("the ssh command was not found", "install the OpenSSH client (Debian, Ubuntu: apt-get install openssh-client; macOS has it)");

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(_controlPath) && File.Exists(AgentSocket)))
        {
            if (_master.HasExited)
            {
                await _master.WaitForExitAsync(cancellationToken); // flushes stderr
                throw SshFailure.Classify(Server.Host, MasterErrors());
            }
            if (clock.Elapsed > ReadyTimeout)
            {
                await DisposeAsync();
                throw new ConnectionException($"{Server.Host}: SSH did not connect within {ReadyTimeout.TotalSeconds:0}s", "check the network path to the server");
            }
            await Task.Delay(15, cancellationToken);
        }
    }

    public bool IsAlive => !_master.HasExited;

    public string MasterErrors()
    {
        lock (_masterErrors) return _masterErrors.ToString();
    }

    /// <summary>Runs a command on the server; with <paramref name="sudo"/>, as root through `sudo -n` when the login user is not root.</summary>
    public async Task<ProcessOutput> RunAsync(string command, Stream? input = null, bool sudo = false, CancellationToken cancellationToken = default)
    {
        var remote = RemoteCommand(Target, command, sudo);
        Settings.Trace?.Invoke($"ssh {Server.Host} {remote}");
        var result = await LocalProcess.RunAsync("ssh", SshArguments.Run(Server, Settings.ConfigFile, _controlPath, remote), input: input, cancellationToken: cancellationToken);
        if (result.ExitCode == 255) throw SshFailure.Classify(Server.Host, result.StandardError);
        return result;
    }

    /// <summary>The command as the server runs it: behind `sudo -n` when it must run as root and ssh logs in as another user. Pure.</summary>
    public static string RemoteCommand(SshTarget target, string command, bool sudo) => sudo && !target.IsRoot ? $"sudo -n {command}" : command;

    public Task<ProcessOutput> RunScriptAsync(string script, bool sudo, CancellationToken cancellationToken) =>
        RunAsync("sh -s", new MemoryStream(Encoding.UTF8.GetBytes(script)), sudo, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_master.HasExited)
        {
            try { _master.Kill(); } catch (InvalidOperationException) { }
            await _master.WaitForExitAsync();
        }
        _master.Dispose();
        File.Delete(_controlPath);
        File.Delete(AgentSocket);
    }
}

/// <summary>How podlift runs ssh: an optional config file (PODLIFT_SSH_CONFIG) and a tracer for --verbose.</summary>
public sealed record SshSettings(string? ConfigFile, Action<string>? Trace)
{
    public static SshSettings FromEnvironment(Action<string>? trace) =>
        new(Environment.GetEnvironmentVariable("PODLIFT_SSH_CONFIG") is { Length: > 0 } file ? file : null, trace);
}

using System.Diagnostics;
using Podlift.Cli.Configuration;
using Podlift.Cli.Local;

namespace Podlift.Cli.Remote;

/// <summary>
/// A session on the user's shared master for the length of a run: a remote `cat` reading this process's pipe, so it
/// ends with the run however the run ends (the pipe closes, or the connection does). ControlPersist counts from the
/// last open channel, and a forward's listener is none: a master with a short ControlPersist could otherwise end during
/// a long local build, with the agent's forward on it. Being a session that runs a command, it also has sshd turn off
/// Nagle's algorithm on the connection, as <see cref="OwnSshMaster"/>'s first session does on its own. If the server
/// refuses the session (a forced command, a shell that exits), nothing else changes.
/// </summary>
public sealed class SessionHold : IAsyncDisposable
{
    private readonly Process _process;

    private SessionHold(Process process) => _process = process;

    public static SessionHold Start(ServerConfig server, SshSettings settings, string controlPath)
    {
        var process = new Process { StartInfo = LocalProcess.StartInfo("ssh", SshArguments.Run(server, settings.ConfigFile, controlPath, "cat")) };
        settings.Trace?.Invoke($"ssh {string.Join(' ', process.StartInfo.ArgumentList)}");
        process.Start();
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        return new SessionHold(process);
    }

    /// <summary>Ends the remote `cat` (its input closes) and waits for ssh, at most 2 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            try { _process.Kill(); } catch (InvalidOperationException) { }
        }
        _process.Dispose();
    }
}

using System.Diagnostics;
using Podlift.Cli.Configuration;
using Podlift.Cli.Local;

namespace Podlift.Cli.Remote;

/// <summary>
/// The user's own shared connection to the server (their ssh config's ControlPath), joined as `ssh &lt;host&gt;` joins it:
/// podlift's commands go through it, and the agent's socket is forwarded on it for the run only. When none runs and
/// their config would start one that persists, ssh starts it as their config says, and it outlives podlift (later
/// commands skip the login, as theirs do). The end of the run cancels the forward; the master is theirs and stays.
/// </summary>
public sealed class SharedSshMaster : ISshMaster
{
    private readonly ServerConfig _server;
    private readonly SshSettings _settings;
    private readonly string _agentSocket;
    private readonly SessionHold _hold;

    private SharedSshMaster(ServerConfig server, SshSettings settings, string controlPath, string agentSocket)
    {
        _server = server;
        _settings = settings;
        ControlPath = controlPath;
        _agentSocket = agentSocket;
        _hold = SessionHold.Start(server, settings, controlPath);
    }

    public string ControlPath { get; }

    /// <summary>Its hold lasts the run, and is not waited for: a server allowing one session at a time refuses commands on a shared connection.</summary>
    public Task OwnSessionsEnded => Task.CompletedTask;

    /// <summary>
    /// The shared master with the agent's socket forwarded, or null when podlift should open its own: none runs and the
    /// config would not start a lasting one, or ssh could not make or use one (a ControlPath in a missing directory...).
    /// </summary>
    public static async Task<SharedSshMaster?> JoinAsync(ServerConfig server, SshSettings settings, SshSharing sharing, string agentSocket,
        CancellationToken cancellationToken)
    {
        var path = sharing.ControlPath;
        if (!await RunningAsync(server, settings, path, cancellationToken))
        {
            if (!sharing.MayStart) return null;
            if (!Directory.Exists(Path.GetDirectoryName(path))) return OwnInstead(server, settings, $"the directory of your ControlPath {path} does not exist");
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(SshConnection.ConnectBound);
            ProcessOutput start;
            try
            {
                start = await settings.RunAsync(SshArguments.StartShared(server, settings.ConfigFile, path), bound.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw SshConnection.NotConnected(server.Host);
            }
            // ssh gives 255 both when it cannot log in and when it logged in but could not make the control socket
            if (start.ExitCode == 255 && !start.StandardError.Contains("unix_listener", StringComparison.Ordinal)
                && !start.StandardError.Contains("ControlSocket", StringComparison.Ordinal))
                throw SshFailure.Classify(server.Host, start.StandardError);
            if (!await RunningAsync(server, settings, path, cancellationToken))
                return OwnInstead(server, settings, $"ssh did not leave a shared connection at {path} ({start.StandardError.Trim()})");
        }
        await CancelForwardsOfEndedRunsAsync(server, settings, path, agentSocket);
        File.Delete(agentSocket); // the master binds the name itself
        var forward = await settings.RunAsync(SshArguments.Forward(server, settings.ConfigFile, path, agentSocket), cancellationToken);
        if (!forward.Succeeded || !File.Exists(agentSocket))
            return OwnInstead(server, settings, $"the shared connection at {path} did not forward the agent's socket ({forward.StandardError.Trim()})");
        settings.Trace?.Invoke($"{server.Host}: sharing your ssh connection at {path}");
        return new SharedSshMaster(server, settings, path, agentSocket);
    }

    private static SharedSshMaster? OwnInstead(ServerConfig server, SshSettings settings, string why)
    {
        settings.Trace?.Invoke($"{server.Host}: {why}; podlift opens its own connection for this run");
        return null;
    }

    /// <summary>
    /// The forwards of runs that were killed before they could cancel theirs (their pid is gone) would stay on the master
    /// for its whole life: they are cancelled, and their sockets removed.
    /// </summary>
    private static async Task CancelForwardsOfEndedRunsAsync(ServerConfig server, SshSettings settings, string path, string agentSocket)
    {
        foreach (var (socket, pid) in SocketDirectory.OtherRunSockets(agentSocket).ToList())
        {
            if (Runs(pid)) continue;
            await settings.RunAsync(SshArguments.Cancel(server, settings.ConfigFile, path, socket), CancellationToken.None);
            File.Delete(socket);
        }
    }

    private static bool Runs(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<bool> RunningAsync(ServerConfig server, SshSettings settings, string path, CancellationToken cancellationToken) =>
        File.Exists(path) && (await settings.RunAsync(SshArguments.Check(server, settings.ConfigFile, path), cancellationToken)).Succeeded;

    public async ValueTask DisposeAsync()
    {
        var cancel = await _settings.RunAsync(SshArguments.Cancel(_server, _settings.ConfigFile, ControlPath, _agentSocket), CancellationToken.None);
        if (!cancel.Succeeded) _settings.Trace?.Invoke($"{_server.Host}: cancelling the forward of the agent's socket failed: {cancel.StandardError.Trim()}");
        File.Delete(_agentSocket);
        await _hold.DisposeAsync();
    }
}

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

    private SharedSshMaster(ServerConfig server, SshSettings settings, string controlPath, string agentSocket)
    {
        _server = server;
        _settings = settings;
        ControlPath = controlPath;
        _agentSocket = agentSocket;
    }

    public string ControlPath { get; }

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
            var start = await SshAsync(settings, SshArguments.StartShared(server, settings.ConfigFile, path), cancellationToken);
            if (start.ExitCode == 255) throw SshFailure.Classify(server.Host, start.StandardError);
            if (!await RunningAsync(server, settings, path, cancellationToken))
            {
                settings.Trace?.Invoke($"{server.Host}: ssh did not leave a shared connection at {path}; podlift opens its own for this run");
                return null;
            }
        }
        File.Delete(agentSocket); // the master binds the name itself; a killed run's socket would be in the way
        var forward = await SshAsync(settings, SshArguments.Forward(server, settings.ConfigFile, path, agentSocket), cancellationToken);
        if (!forward.Succeeded || !File.Exists(agentSocket))
        {
            settings.Trace?.Invoke($"{server.Host}: the shared connection at {path} did not forward the agent's socket ({forward.StandardError.Trim()}); podlift opens its own for this run");
            return null;
        }
        settings.Trace?.Invoke($"{server.Host}: sharing your ssh connection at {path}");
        return new SharedSshMaster(server, settings, path, agentSocket);
    }

    private static async Task<bool> RunningAsync(ServerConfig server, SshSettings settings, string path, CancellationToken cancellationToken) =>
        File.Exists(path) && (await SshAsync(settings, SshArguments.Check(server, settings.ConfigFile, path), cancellationToken)).Succeeded;

    private static Task<ProcessOutput> SshAsync(SshSettings settings, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        settings.Trace?.Invoke($"ssh {string.Join(' ', arguments)}");
        return LocalProcess.RunAsync("ssh", arguments, cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await SshAsync(_settings, SshArguments.Cancel(_server, _settings.ConfigFile, ControlPath, _agentSocket), CancellationToken.None);
        File.Delete(_agentSocket);
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;

namespace Podlift.Cli.Remote;

/// <summary>
/// One SSH connection to one server for the length of a podlift run: a master that every remote command reuses,
/// forwarding a local unix socket to the agent's. The user's own shared connection when their ssh config sets one up
/// (<see cref="SharedSshMaster"/>), else podlift's own, which ends with this process (<see cref="OwnSshMaster"/>).
/// </summary>
public sealed class SshConnection : IAsyncDisposable
{
    private readonly ISshMaster _master;

    private SshConnection(ServerConfig server, SshTarget target, SshSettings settings, string agentSocket, ISshMaster master)
    {
        Server = server;
        Target = target;
        Settings = settings;
        AgentSocket = agentSocket;
        _master = master;
    }

    public ServerConfig Server { get; }

    /// <summary>Who ssh logs in as, where to, as `ssh -G` said before connecting.</summary>
    public SshTarget Target { get; }

    public SshSettings Settings { get; }

    /// <summary>The local end of the forwarded agent socket.</summary>
    public string AgentSocket { get; }

    public static async Task<SshConnection> OpenAsync(ServerConfig server, SshSettings settings, CancellationToken cancellationToken)
    {
        var directory = SocketDirectory.Ensure(SocketDirectory.Default);
        var target = await ResolveAsync(server, settings, cancellationToken);
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{server.User}@{server.Host}:{server.Port}")))[..10].ToLowerInvariant();
        var agentSocket = SocketDirectory.RequireFits(SocketDirectory.RunSocket(directory, key, Environment.ProcessId, "agent"));
        ISshMaster master = target.Sharing is { } sharing && await SharedSshMaster.JoinAsync(server, settings, sharing, agentSocket, cancellationToken) is { } shared
            ? shared
            : await OwnSshMaster.StartAsync(server, settings,
                SocketDirectory.RequireFits(SocketDirectory.RunSocket(directory, key, Environment.ProcessId, "ctl"), SocketDirectory.SshTemporarySuffix), agentSocket, cancellationToken);
        return new SshConnection(server, target, settings, agentSocket, master);
    }

    /// <summary>What ssh will use for the server (its config, with podlift's -l/-p/-i), as `ssh -G` prints it without connecting.</summary>
    public static async Task<SshTarget> ResolveAsync(ServerConfig server, SshSettings settings, CancellationToken cancellationToken)
    {
        var result = await settings.RunAsync(SshArguments.Resolve(server, settings.ConfigFile), cancellationToken);
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

    /// <summary>How long a login may take before the run gives up on the server.</summary>
    public static readonly TimeSpan ConnectBound = TimeSpan.FromSeconds(30);

    public static ConnectionException NotConnected(string host) =>
        new($"{host}: SSH did not connect within {ConnectBound.TotalSeconds:0}s", "check the network path to the server");

    public static ConnectionException SshNotFound() =>
        new("the ssh command was not found", "install the OpenSSH client (Debian, Ubuntu: apt-get install openssh-client; macOS has it)");

    /// <summary>Runs a command on the server; with <paramref name="sudo"/>, as root through `sudo -n` when the login user is not root.</summary>
    public async Task<ProcessOutput> RunAsync(string command, Stream? input = null, bool sudo = false, CancellationToken cancellationToken = default)
    {
        var remote = RemoteCommand(Target, command, sudo);
        await _master.OwnSessionsEnded;
        Settings.Trace?.Invoke($"ssh {Server.Host} {remote}");
        var result = await LocalProcess.RunAsync("ssh", SshArguments.Run(Server, Settings.ConfigFile, _master.ControlPath, remote), input: input, cancellationToken: cancellationToken);
        if (result.ExitCode == 255) throw SshFailure.Classify(Server.Host, result.StandardError);
        return result;
    }

    /// <summary>The command as the server runs it: behind `sudo -n` when it must run as root and ssh logs in as another user. Pure.</summary>
    public static string RemoteCommand(SshTarget target, string command, bool sudo) => sudo && !target.IsRoot ? $"sudo -n {command}" : command;

    public Task<ProcessOutput> RunScriptAsync(string script, bool sudo, CancellationToken cancellationToken) =>
        RunAsync("sh -s", new MemoryStream(Encoding.UTF8.GetBytes(script)), sudo, cancellationToken);

    public ValueTask DisposeAsync() => _master.DisposeAsync();
}

/// <summary>How podlift runs ssh: an optional config file (PODLIFT_SSH_CONFIG) and a tracer for --verbose.</summary>
public sealed record SshSettings(string? ConfigFile, Action<string>? Trace)
{
    public static SshSettings FromEnvironment(Action<string>? trace) =>
        new(Environment.GetEnvironmentVariable("PODLIFT_SSH_CONFIG") is { Length: > 0 } file ? file : null, trace);

    /// <summary>Runs ssh with these arguments, traced as it is run.</summary>
    public Task<ProcessOutput> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        Trace?.Invoke($"ssh {string.Join(' ', arguments)}");
        return LocalProcess.RunAsync("ssh", arguments, cancellationToken: cancellationToken);
    }
}

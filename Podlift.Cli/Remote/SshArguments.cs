using Podlift.Cli.Configuration;

namespace Podlift.Cli.Remote;

/// <summary>
/// Command lines for the system OpenSSH client. Host keys are never trusted blindly: podlift adds no
/// StrictHostKeyChecking option, so the user's own policy and known_hosts decide (BatchMode makes an
/// unknown key a refusal instead of a prompt). User, port and key are passed only when podlift.yml sets them, so
/// that the user's ssh config decides otherwise, as it does for `ssh &lt;host&gt;`.
/// </summary>
public static class SshArguments
{
    public const string RemoteAgentSocket = Podlift.Protocol.AgentProtocol.SocketPath;

    public static IReadOnlyList<string> Common(ServerConfig server, string? configFile)
    {
        var arguments = new List<string>();
        if (configFile is not null) arguments.AddRange(["-F", configFile]);
        arguments.AddRange(["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"]);
        if (server.Port is { } port) arguments.AddRange(["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (server.User is { } user) arguments.AddRange(["-l", user]);
        if (server.SshKey is { } key) arguments.AddRange(["-i", ExpandHome(key), "-o", "IdentitiesOnly=yes"]);
        return arguments;
    }

    /// <summary>A master notices a dead connection within a minute.</summary>
    private static readonly string[] KeepAlive = ["-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4"];

    private static string AgentForward(string localAgentSocket) => $"{localAgentSocket}:{RemoteAgentSocket}";

    /// <summary>ssh's effective configuration for the host (user, hostname, port, proxyjump...), printed without connecting.</summary>
    public static IReadOnlyList<string> Resolve(ServerConfig server, string? configFile) => [.. Common(server, configFile), "-G", server.Host];

    /// <summary>The one connection per host and run: a control master that also forwards the agent's socket.</summary>
    public static IReadOnlyList<string> Master(ServerConfig server, string? configFile, string controlPath, string localAgentSocket) =>
    [
        .. Common(server, configFile),
        "-M", "-S", controlPath, "-N",
        "-o", "ControlPersist=no",
        "-o", "ExitOnForwardFailure=yes",
        "-o", "StreamLocalBindUnlink=yes",
        .. KeepAlive,
        "-L", AgentForward(localAgentSocket),
        server.Host,
    ];

    /// <summary>Whether a master answers on the control socket (exit 0), without connecting to the server.</summary>
    public static IReadOnlyList<string> Check(ServerConfig server, string? configFile, string controlPath) =>
        [.. Common(server, configFile), "-S", controlPath, "-O", "check", server.Host];

    /// <summary>
    /// Has ssh start the user's shared master as their config says (it stays in the background for their ControlPersist), by
    /// running `true` through it. ControlMaster=auto, not -M: when two runs race for the socket, the loser's ssh just runs
    /// `true` on a connection of its own and exits, where -M would stay in the foreground without multiplexing.
    /// </summary>
    public static IReadOnlyList<string> StartShared(ServerConfig server, string? configFile, string controlPath) =>
    [
        .. Common(server, configFile),
        "-S", controlPath, "-o", "ControlMaster=auto",
        .. KeepAlive,
        server.Host, "--", "true",
    ];

    /// <summary>Has a running master forward a local unix socket to the agent's, for this run.</summary>
    public static IReadOnlyList<string> Forward(ServerConfig server, string? configFile, string controlPath, string localAgentSocket) =>
        [.. Common(server, configFile), "-S", controlPath, "-O", "forward", "-L", AgentForward(localAgentSocket), server.Host];

    /// <summary>Ends that forward; the master stays.</summary>
    public static IReadOnlyList<string> Cancel(ServerConfig server, string? configFile, string controlPath, string localAgentSocket) =>
        [.. Common(server, configFile), "-S", controlPath, "-O", "cancel", "-L", AgentForward(localAgentSocket), server.Host];

    /// <summary>A command over the existing master; it never opens a connection of its own.</summary>
    public static IReadOnlyList<string> Run(ServerConfig server, string? configFile, string controlPath, string remoteCommand) =>
        [.. Common(server, configFile), "-S", controlPath, "-o", "ControlMaster=no", server.Host, "--", remoteCommand];

    public static IReadOnlyList<string> Exit(ServerConfig server, string? configFile, string controlPath) =>
        [.. Common(server, configFile), "-S", controlPath, "-O", "exit", server.Host];

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}

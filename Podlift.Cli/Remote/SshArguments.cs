using Podlift.Cli.Configuration;

namespace Podlift.Cli.Remote;

/// <summary>
/// Command lines for the system OpenSSH client. Host keys are never trusted blindly: podlift adds no
/// StrictHostKeyChecking option, so the user's own policy and known_hosts decide (BatchMode makes an
/// unknown key a refusal instead of a prompt).
/// </summary>
public static class SshArguments
{
    public const string RemoteAgentSocket = Podlift.Protocol.AgentProtocol.SocketPath;

    public static IReadOnlyList<string> Common(ServerConfig server, string? configFile)
    {
        var arguments = new List<string>();
        if (configFile is not null) arguments.AddRange(["-F", configFile]);
        arguments.AddRange(["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", server.Port.ToString(), "-l", server.User]);
        if (server.SshKey is { } key) arguments.AddRange(["-i", ExpandHome(key), "-o", "IdentitiesOnly=yes"]);
        return arguments;
    }

    /// <summary>The one connection per host and run: a control master that also forwards the agent's socket.</summary>
    public static IReadOnlyList<string> Master(ServerConfig server, string? configFile, string controlPath, string localAgentSocket) =>
    [
        .. Common(server, configFile),
        "-M", "-S", controlPath, "-N",
        "-o", "ControlPersist=no",
        "-o", "ExitOnForwardFailure=yes",
        "-o", "StreamLocalBindUnlink=yes",
        "-o", "ServerAliveInterval=15",
        "-o", "ServerAliveCountMax=4",
        "-L", $"{localAgentSocket}:{RemoteAgentSocket}",
        server.Host,
    ];

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

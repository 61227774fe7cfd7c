using Podlift.Cli.Configuration;

namespace Podlift.Cli.Remote;

public static class SessionOrder
{
    /// <summary>The primary first: its load balancer must run before other servers offer it backends. Otherwise in config order.</summary>
    public static IReadOnlyList<ServerSession> PrimaryFirst(this IEnumerable<ServerSession> sessions, ServerConfig primary) =>
        sessions.OrderBy(s => s.Server == primary ? 0 : 1).ToList();
}

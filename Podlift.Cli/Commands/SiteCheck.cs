using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// Before a deploy touches anything: on each server whose nginx will route to the app, no other app holds
/// the default site (when neither has `domain:`) or one of its host names (<see cref="SiteConflicts"/>).
/// </summary>
public static class SiteCheck
{
    /// <summary>Why the app's site would clash on that server, from what its agent reports; null when it would not. Pure.</summary>
    public static string? ConflictOn(PodliftConfig config, ServerConfig server, IEnumerable<AppState> apps) =>
        RoutesOn(config, server)
            ? SiteConflicts.Find(config.App, config.Domains, apps.Where(a => a.HasSite).Select(a => new SiteNames(a.App, a.SiteDomains.ToList())))
            : null;

    public static bool RoutesOn(PodliftConfig config, ServerConfig server) =>
        config.Proxy.Enabled && config.RoutedService is { } routed && config.ServicesOn(server).Contains(routed);

    public static async Task EnsureFreeAsync(PodliftConfig config, IEnumerable<ServerSession> sessions, CancellationToken cancellationToken)
    {
        foreach (var session in sessions)
        {
            if (!RoutesOn(config, session.Server)) continue;
            var apps = await session.Agent.StateAsync(null, cancellationToken);
            if (ConflictOn(config, session.Server, apps) is { } conflict)
                throw new ValidationException($"{session.Server.Host}: nginx: {conflict}", Fix);
        }
    }

    public const string Fix = "give each app on that server its own `domain:` in podlift.yml (one of them may stay the default site)";
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
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

    /// <summary>Refuses when the app's site would clash on a server that routes to it. Pure.</summary>
    public static void EnsureFree(PodliftConfig config, ServerApps apps)
    {
        foreach (var server in apps.Servers)
        {
            if (ConflictOn(config, server, apps.On(server)) is { } conflict)
                throw new ValidationException($"{server.Host}: nginx: {conflict}", Fix);
        }
    }

    public const string Fix = "give each app on that server its own `domain:` in podlift.yml (one of them may stay the default site)";
}

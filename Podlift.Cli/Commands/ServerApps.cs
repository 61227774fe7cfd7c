using Podlift.Cli.Configuration;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// What each server's agent reports before a deploy, read once per server for every check that needs it (the app
/// name's owner, the nginx site, a serving canary): a State call probes the health of the containers it reports.
/// Every app where the app's nginx site will be (the site check looks at the others), only this app elsewhere.
/// </summary>
public sealed class ServerApps(IReadOnlyDictionary<ServerConfig, IReadOnlyList<AppState>> apps)
{
    public static async Task<ServerApps> ReadAsync(PodliftConfig config, IEnumerable<ServerSession> sessions, CancellationToken cancellationToken)
    {
        var read = await Task.WhenAll(sessions.Select(async session =>
            (session.Server, Apps: await session.Agent.StateAsync(SiteCheck.RoutesOn(config, session.Server) ? null : config.App, cancellationToken))));
        return new ServerApps(read.ToDictionary(r => r.Server, r => r.Apps));
    }

    /// <summary>The servers read, in the order they were given.</summary>
    public IEnumerable<ServerConfig> Servers => apps.Keys;

    /// <summary>The apps the server reported (only this app where no site of it will be).</summary>
    public IReadOnlyList<AppState> On(ServerConfig server) => apps[server];

    /// <summary>One app on one server; null when it is not there.</summary>
    public AppState? App(ServerConfig server, string app) => On(server).FirstOrDefault(a => a.App == app);
}

using System.Net;
using Podlift.Agent.Proxy;

namespace Podlift.Tests.Unit.Fakes;

/// <summary>A reverse proxy that keeps each app's site in memory and switches as told (or fails as told).</summary>
internal sealed class FakeReverseProxy : IReverseProxy
{
    public Dictionary<string, NginxSite> Sites { get; } = [];
    public List<NginxSite> Switches { get; } = [];
    /// <summary>Thrown by the next switch instead of switching.</summary>
    public ProxyException? FailNextSwitch { get; set; }
    public int ConnectionsLeft { get; set; }
    /// <summary>Every set of backends a drain waited for.</summary>
    public List<IReadOnlySet<IPEndPoint>> Drained { get; } = [];

    public Task SwitchAsync(NginxSite site, CancellationToken cancellationToken)
    {
        if (FailNextSwitch is { } failure)
        {
            FailNextSwitch = null;
            throw failure;
        }
        Switches.Add(site);
        Sites[site.App] = site;
        return Task.CompletedTask;
    }

    public IReadOnlyList<(string Address, int Port)>? RoutedBackends(string app) =>
        Sites.TryGetValue(app, out var site) ? site.Servers.Select(s => (s.Address, s.Port)).ToList() : null;

    public Task ReapplyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<DrainResult> DrainAsync(IReadOnlySet<IPEndPoint> oldBackends, TimeSpan bound, CancellationToken cancellationToken)
    {
        Drained.Add(oldBackends);
        return Task.FromResult(new DrainResult(ConnectionsLeft == 0, TimeSpan.Zero, ConnectionsLeft));
    }

    public string? ConflictWith(string app, IReadOnlyList<string> domains) =>
        Podlift.Protocol.SiteConflicts.Find(app, domains, Sites.Values.Select(s => new Podlift.Protocol.SiteNames(s.App, s.Domains)));

    public IReadOnlyList<string>? SiteDomains(string app) => Sites.TryGetValue(app, out var site) ? site.Domains : null;
}

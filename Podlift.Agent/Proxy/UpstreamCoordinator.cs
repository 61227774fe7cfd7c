using System.Net;
using Podlift.Agent.Deploy;
using Podlift.Agent.Host;
using Podlift.Protocol;

namespace Podlift.Agent.Proxy;

/// <summary>
/// On the primary: takes another server's new backends into the app's upstream, next to this server's
/// own current containers, and drains the backends they replace before answering, so the other server
/// may stop them right after.
/// </summary>
public sealed class UpstreamCoordinator(DeployTools tools)
{
    public Task<SetUpstreamReply> SetAsync(SetUpstreamRequest request, CancellationToken cancellationToken) =>
        tools.Upstreams.WithLockAsync(request.App, async () =>
        {
            var offered = request.Backends.Select(b => new UpstreamServer(b.Address, b.Port, b.Name)).ToList();
            var replaced = tools.Upstreams.Replace(request.App, request.Server, offered);
            var site = new NginxSite(request.App, request.Service, tools.State.Load(request.App)?.Current?.Version ?? "", request.Domain,
                tools.Upstreams.Backends(request.App), NginxProxy.HostHasIPv6);
            ProxySwitch change;
            try
            {
                change = await tools.Proxy.SwitchAsync(site, cancellationToken);
            }
            catch
            {
                tools.Upstreams.Replace(request.App, request.Server, replaced);
                throw;
            }

            var kept = request.Backends.Select(b => (b.Address, b.Port)).ToHashSet();
            var gone = new HashSet<IPEndPoint>();
            foreach (var backend in replaced.Where(r => !kept.Contains((r.Address, r.Port))))
                gone.Add(new IPEndPoint(await HostAddresses.ResolveAsync(backend.Address, cancellationToken), backend.Port));
            var drained = await tools.Proxy.DrainAsync(change, gone, TimeSpan.FromMilliseconds(request.DrainMilliseconds), cancellationToken);
            return new SetUpstreamReply
            {
                Drained = drained.Drained, DrainMilliseconds = (long)drained.Elapsed.TotalMilliseconds, ConnectionsLeft = drained.ConnectionsLeft,
            };
        }, cancellationToken);
}

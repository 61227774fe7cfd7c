using System.Net;
using Podlift.Agent.Deploy;
using Podlift.Agent.Machine;
using Podlift.Agent.Rpc;
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
            var site = await tools.Sites.CreateAsync(request.App, request.Service, tools.Upstreams.Backends(request.App),
                tools.Sites.LoadSettings(request.App) ?? new ProxyPlan { Enabled = true, Domain = request.Domain }, tools.Upstreams.Canary(request.App));
            try
            {
                await tools.Proxy.SwitchAsync(site, cancellationToken);
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
            var drained = await tools.Proxy.DrainAsync(gone, TimeSpan.FromMilliseconds(request.DrainMilliseconds), cancellationToken);
            return new SetUpstreamReply
            {
                Drained = drained.Drained, DrainMilliseconds = (long)drained.Elapsed.TotalMilliseconds, ConnectionsLeft = drained.ConnectionsLeft,
            };
        }, cancellationToken);

    /// <summary>`ssl setup`: the same backends, new proxy settings (domain, certificate).</summary>
    public Task<ApplyProxyReply> ApplyAsync(ApplyProxyRequest request, CancellationToken cancellationToken) =>
        tools.Upstreams.WithLockAsync(request.App, async () =>
        {
            var backends = tools.Upstreams.Backends(request.App);
            var current = tools.State.Load(request.App)?.Current;
            var service = current?.PlanJson is { } json ? Google.Protobuf.JsonParser.Default.Parse<DeployPlan>(json).Services.FirstOrDefault(s => s.Routed)?.Name : null;
            if (backends.Count == 0 || service is null)
                throw new AgentFailure(AgentErrorReason.NotDeployed, $"{request.App} serves nothing through nginx on this server yet; deploy it first");
            tools.Sites.SaveSettings(request.App, request.Proxy);
            var site = await tools.Sites.CreateAsync(request.App, service, backends, request.Proxy, tools.Upstreams.Canary(request.App));
            await tools.Proxy.SwitchAsync(site, cancellationToken);
            return new ApplyProxyReply
            {
                TlsActive = site.Tls is not null,
                Detail = site.Tls is null ? "HTTP only (no certificate files yet)" : $"HTTPS with {site.Tls.CertificatePath}; HTTP redirects to HTTPS",
            };
        }, cancellationToken);
}

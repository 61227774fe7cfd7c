using Podlift.Agent.Deploy;
using System.Net;
using Podlift.Agent.Machine;
using Podlift.Agent.Proxy;
using Podlift.Protocol;

namespace Podlift.Agent.Plans.Steps;

/// <summary>Traffic: the primary's load balancer takes this server's new containers, this server's nginx switches, the old backends drain.</summary>
/// <param name="primaryWaitLimit">How long a non-primary server waits for the CLI's word (default 5 minutes).</param>
public sealed class ProxySteps(IReverseProxy proxy, UpstreamRegistry upstreams, NginxSiteFactory sites, SwitchGate gate, TimeSpan? primaryWaitLimit = null)
{
    private readonly TimeSpan _primaryWaitLimit = primaryWaitLimit ?? TimeSpan.FromMinutes(5);

    /// <summary>A non-primary web server: the new containers are offered to the primary (through the CLI, which calls SetUpstream there).</summary>
    public async Task AwaitPrimaryAsync(AwaitPrimary action, ExecutionContext context, CancellationToken cancellationToken)
    {
        var answer = gate.WaitAsync(context.Job.DeployId, _primaryWaitLimit, cancellationToken);
        // said before the event: the CLI reads on only once it has answered
        context.Progress.Info("Waiting for the primary's load balancer to take the new containers...");
        context.Progress.AwaitingSwitch(action.Service, action.Backends);
        var reply = await answer;
        if (reply.Proceed)
        {
            context.Progress.Success("The primary's load balancer routes to the new containers");
            return;
        }
        // without an answer the primary may or may not route here already: keep old and new running, stop nothing
        context.KeepEverything = reply.NoAnswer;
        throw new DeployFailure($"the primary did not take the new containers: {reply.Reason}",
            reply.NoAnswer ? "Old and new containers are both left running; the next deploy cleans up." : null);
    }

    /// <summary>
    /// An atomic rollout: this server is ready; the CLI says go once every server is, or stop when one failed. Elsewhere
    /// than on the primary, no answer in time leaves old and new running: the primary may route here already.
    /// </summary>
    public async Task AwaitGoAsync(AwaitGo action, ExecutionContext context, CancellationToken cancellationToken)
    {
        var answer = gate.WaitAsync(context.Job.DeployId, _primaryWaitLimit, cancellationToken);
        context.Progress.Info("Ready; waiting for every server to be (atomic rollout)...");
        context.Progress.AwaitingSwitch(action.Service, action.Backends, awaitsGo: true);
        var reply = await answer;
        if (!reply.Proceed)
        {
            context.KeepEverything = reply.NoAnswer && !action.OnPrimary;
            throw new DeployFailure($"atomic rollout stopped: {reply.Reason}",
                context.KeepEverything ? "Old and new containers are both left running; the next deploy cleans up." : null);
        }
        context.Others = reply.Others;
        context.Progress.Success(action switch
        {
            { OnPrimary: true } => reply.Others.Count > 0 ? $"Every server is ready: switching with {reply.Others.Count} other server(s)" : "Every server is ready",
            { Backends.Count: > 0 } => "Every server is ready; the primary routes to the new containers",
            _ => "Every server is ready",
        });
    }

    /// <summary>
    /// This server's nginx routes to its own new containers and, on the primary, to the other servers' backends
    /// too: the registry keeps both, under the lock another server's SetUpstream also takes.
    /// </summary>
    public Task SwitchAsync(SwitchProxy action, ExecutionContext context, CancellationToken cancellationToken) =>
        upstreams.WithLockAsync(context.Request.App, async () =>
        {
            var app = context.Request.App;
            context.Progress.Info(action.Announce);
            var replaced = new List<(string Server, IReadOnlyList<UpstreamServer> Backends)>
            {
                (UpstreamRegistry.Local, upstreams.Replace(app, UpstreamRegistry.Local, action.Local)),
            };
            // an atomic rollout's primary: the other servers' new backends come in with this server's, in one reload
            foreach (var other in context.Others)
                replaced.Add((other.Server, upstreams.Replace(app, other.Server, other.Backends.Select(b => new UpstreamServer(b.Address, b.Port, b.Name)))));
            var previousSettings = sites.LoadSettings(app);
            var previousCanary = upstreams.SetCanary(app, action.Canary);
            try
            {
                if (action.Proxy is not null) sites.SaveSettings(app, action.Proxy);
                var site = await sites.CreateAsync(app, action.Service, action.LocalOnly ? action.Local : upstreams.Backends(app), action.Proxy, action.Canary);
                await proxy.SwitchAsync(site, cancellationToken);
            }
            catch
            {
                foreach (var (server, backends) in replaced) upstreams.Replace(app, server, backends);
                upstreams.SetCanary(app, previousCanary);
                if (previousSettings is not null) sites.SaveSettings(app, previousSettings);
                throw;
            }
            if (action.Canary is not null)
                context.OnFailure("the canary's split", () => upstreams.WithLockAsync(app, async () =>
                {
                    upstreams.SetCanary(app, previousCanary);
                    await proxy.SwitchAsync(await sites.CreateAsync(app, action.Service, upstreams.Backends(app), null, previousCanary), CancellationToken.None);
                    return true;
                }, CancellationToken.None));
            foreach (var (server, backends) in replaced.Skip(1))
                foreach (var gone in backends.Where(b => !context.Others.First(o => o.Server == server).Backends.Any(n => n.Address == b.Address && n.Port == b.Port)))
                    context.ReplacedRemote.Add(new IPEndPoint(await HostAddresses.ResolveAsync(gone.Address, cancellationToken), gone.Port));
            context.Progress.Success(action.Done);
            return true;
        }, cancellationToken);

    public Task ReapplyAsync(CancellationToken cancellationToken) => proxy.ReapplyAsync(cancellationToken);

    public async Task DrainAsync(Drain action, ExecutionContext context, CancellationToken cancellationToken)
    {
        context.Progress.Info($"Waiting up to {action.Bound.TotalSeconds:0.#}s for in-flight requests to complete...");
        // on an atomic rollout's primary, the other servers' old backends too: they stop once this job ends
        var drained = await proxy.DrainAsync(action.Old.Concat(context.ReplacedRemote).ToHashSet(), action.Bound, cancellationToken);
        if (drained.Drained) context.Progress.Success($"Connections drained ({drained.Elapsed.TotalSeconds:0.0}s)");
        else context.Progress.Warning($"Drain limit of {action.Bound.TotalSeconds:0.#}s reached with {drained.ConnectionsLeft} connections open; stopping anyway");
    }
}

using Podlift.Agent.Deploy;
using Podlift.Agent.Proxy;

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
        context.Progress.AwaitingSwitch(action.Service, action.Backends);
        context.Progress.Info("Waiting for the primary's load balancer to take the new containers...");
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
    /// This server's nginx routes to its own new containers and, on the primary, to the other servers' backends
    /// too: the registry keeps both, under the lock another server's SetUpstream also takes.
    /// </summary>
    public Task SwitchAsync(SwitchProxy action, ExecutionContext context, CancellationToken cancellationToken) =>
        upstreams.WithLockAsync(context.Request.App, async () =>
        {
            var app = context.Request.App;
            context.Progress.Info(action.Announce);
            var replaced = upstreams.Replace(app, UpstreamRegistry.Local, action.Local);
            var previousSettings = sites.LoadSettings(app);
            try
            {
                if (action.Proxy is not null) sites.SaveSettings(app, action.Proxy);
                var site = await sites.CreateAsync(app, action.Service, action.LocalOnly ? action.Local : upstreams.Backends(app), action.Proxy);
                await proxy.SwitchAsync(site, cancellationToken);
            }
            catch
            {
                upstreams.Replace(app, UpstreamRegistry.Local, replaced);
                if (previousSettings is not null) sites.SaveSettings(app, previousSettings);
                throw;
            }
            context.Progress.Success(action.Done);
            return true;
        }, cancellationToken);

    public Task ReapplyAsync(CancellationToken cancellationToken) => proxy.ReapplyAsync(cancellationToken);

    public async Task DrainAsync(Drain action, ExecutionContext context, CancellationToken cancellationToken)
    {
        context.Progress.Info($"Waiting up to {action.Bound.TotalSeconds:0.#}s for in-flight requests to complete...");
        var drained = await proxy.DrainAsync(action.Old.ToHashSet(), action.Bound, cancellationToken);
        if (drained.Drained) context.Progress.Success($"Connections drained ({drained.Elapsed.TotalSeconds:0.0}s)");
        else context.Progress.Warning($"Drain limit of {action.Bound.TotalSeconds:0.#}s reached with {drained.ConnectionsLeft} connections open; stopping anyway");
    }
}

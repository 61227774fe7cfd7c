using Podlift.Agent.Docker;
using Podlift.Agent.Proxy;

namespace Podlift.Agent.Plans.Steps;

/// <summary>The app's Docker network and its firewall chain.</summary>
public sealed class NetworkSteps(IContainerRuntime runtime, PeerFirewall firewall)
{
    public async Task EnsureNetworkAsync(EnsureNetwork action, ExecutionContext context, CancellationToken cancellationToken) =>
        context.Gateway = await runtime.EnsureNetworkAsync(action.Name, cancellationToken);

    /// <summary>Before anything is published on all interfaces: only the app's servers may reach its ports.</summary>
    public async Task ApplyFirewallAsync(ApplyFirewall action, ExecutionContext context, CancellationToken cancellationToken) =>
        context.Progress.Detail(await firewall.ApplyAsync(context.Request.App, action.Peers, action.Ports, cancellationToken));
}

using Podlift.Agent.Plans;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>What a failed job tells the user: what went wrong, and what serves now as far as podlift can tell.</summary>
public static class JobFailures
{
    public static (string Message, string? Detail) Describe(Exception e) => e switch
    {
        DeployFailure failure => (failure.Message, failure.Detail),
        PlanRefused refused => (refused.Message, refused.Fix),
        OperationCanceledException => ("the agent is shutting down; the job was stopped before traffic moved", null),
        ProxyException proxyError => (proxyError.Message, null),
        FirewallException firewall => ($"firewall: {firewall.Message}", "Nothing was started or published."),
        IOException io when DiskFull.Caused(io) => (DiskFull.Explain(io), DiskFull.Fix),
        _ => (e.Message, null),
    };

    /// <summary>
    /// After a failure before the switch. "No downtime" only when nginx's config on disk routes to exactly the old
    /// version's containers and nginx confirmed it runs it.
    /// </summary>
    public static string? WhatServes(ServerSnapshot snapshot, DeployPlan request, IReverseProxy proxy, Exception failure)
    {
        if (failure is ProxyException { PreviousRestored: false })
            return "nginx could not be confirmed back on the previous config: check `nginx -t` and `systemctl status nginx` on this server now.";
        if (snapshot.Record?.Current is not { } current) return "Nothing was switched: nothing of this app served here before.";
        var routed = request.Proxy?.Enabled == true ? proxy.RoutedBackends(request.App) : null;
        if (routed is null) return "Old containers still running.";
        var routedHere = routed.Where(b => b.Address == ContainerSpecs.LoopbackAddress).Select(b => b.Port).ToHashSet();
        var oldPorts = current.RoutedContainers().Select(c => c.HostPort).ToHashSet();
        return routedHere.SetEquals(oldPorts)
            ? "Old containers still running. No downtime occurred."
            : $"Old containers still running, but nginx's config does not route to exactly them: check /etc/nginx/conf.d/{NginxSite.FileName(request.App)}.";
    }
}

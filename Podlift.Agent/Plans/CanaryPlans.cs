using Podlift.Agent.Deploy;
using Podlift.Agent.Proxy;
using Podlift.Protocol;

namespace Podlift.Agent.Plans;

public static partial class JobPlanner
{
    /// <summary>
    /// A canary: the routed service's new containers start and pass their checks beside the version that serves (the
    /// release command runs), then this server's nginx sends the canary's share of fresh clients to them and the rest
    /// where they went; nothing stops. With a hold, its backends are watched, then it is promoted or removed.
    /// </summary>
    private static Plan CanaryFor(JobSpec job, JobKind kind, ServerSnapshot snapshot, CanaryPlan canary, NetworkPlan network)
    {
        var request = job.Plan;
        if (!Routes(request))
            throw new PlanRefused($"a canary splits the traffic nginx routes, and {request.App} routes none", "deploy without --canary");
        if (network.AwaitsPrimary || network.PrimaryAddress.Length > 0)
            throw new PlanRefused("a canary splits the traffic of the primary's load balancer, and this server is not the primary", "deploy the canary to the primary alone");
        var service = request.Services.First(s => s.Routed);
        var current = snapshot.CurrentVersion;
        var stable = snapshot.Containers.Where(c => c.IsRunning && c.Version == current && c.Service == service.Name && c.HostPort > 0).ToList();
        if (current is null || stable.Count == 0)
            throw new PlanRefused($"a canary needs a version serving beside it, and no {service.Name} container of {request.App} serves here", "deploy without --canary first");
        if (current == request.Version)
            throw new PlanRefused($"{request.Version} already serves every client", "a canary is of a new version: commit a change, then deploy --canary");

        var (actions, start) = BeforeTrafficMoves(job, kind, snapshot, network);

        var routed = start.Started.Where(c => c.Service.Routed).ToList();
        var share = Shares.Format(canary.Share);
        actions.Add(new SwitchProxy(service.Name, stable.Select(c => ContainerSpecs.LocalUpstream(c.HostPort, c.Name)).ToList(), LocalOnly: false, request.Proxy,
            $"Traffic splitting: {share} of fresh clients to {request.Version}, the others stay on {current}...", $"{share} of fresh clients on {request.Version}",
            new CanarySplit(request.Version, canary.Share, routed.Select(c => ContainerSpecs.LocalUpstream(c.HostPort, c.Name)).ToList()), DeployStep.Canary));
        var hold = TimeSpan.FromMilliseconds(canary.HoldMilliseconds);
        actions.Add(new RecordCanary(request.Version, canary.Share, hold));
        if (hold > TimeSpan.Zero)
            actions.Add(new WatchCanary(new VerifyPlan { WindowMilliseconds = canary.HoldMilliseconds, MaxErrorRate = canary.MaxErrorRate, MinRequests = canary.MinRequests },
                routed.Select(c => $"{ContainerSpecs.LoopbackAddress}:{c.HostPort}").ToList()));
        return new Plan(job.Operation, request, actions);
    }

    /// <summary>
    /// What is left of a recorded canary's hold, watched again after the agent restarted: the canary's own backends, until the
    /// recorded end (at once if it passed while the agent was down). The split serves as it did; nothing starts or moves.
    /// </summary>
    public static Plan ResumedHold(JobSpec job, ServerSnapshot snapshot)
    {
        var request = job.Plan;
        if (snapshot.Record?.Canary is not { HoldUntil: { } until } canary || canary.Deployment.Version != request.Version || request.Canary is not { } plan)
            throw new PlanRefused($"no held canary of {request.Version} is recorded on this server", "`podlift status` shows what serves");
        var left = until > snapshot.Now ? until - snapshot.Now : TimeSpan.Zero;
        var backends = canary.Deployment.RoutedContainers().Select(c => $"{ContainerSpecs.LoopbackAddress}:{c.HostPort}").ToList();
        var watch = new VerifyPlan { WindowMilliseconds = (long)left.TotalMilliseconds, MaxErrorRate = plan.MaxErrorRate, MinRequests = plan.MinRequests };
        return new Plan(job.Operation, request,
        [
            new Say(DeployStep.Canary, EventLevel.Info,
                $"The agent restarted during the canary's hold: {request.Version} is judged on what nginx logged since the hold began, " +
                $"{(left > TimeSpan.Zero ? $"for the {left.TotalSeconds:0.#}s left of it" : "at once (its time ran out meanwhile)")}"),
            new WatchCanary(watch, backends),
        ]);
    }
}

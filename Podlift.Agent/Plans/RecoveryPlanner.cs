using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Plans;

/// <summary>A job the agent did not see to its end: it was running when the agent stopped.</summary>
public sealed record InterruptedJob(string DeployId, string JournalPath, DeployPlan? Plan, string Operation, long LastSequence);

/// <summary>What the restarted agent does for one app, and what it records then.</summary>
public sealed record RecoveryPlan(string Live, IReadOnlyList<PlanAction> Actions, AppRecord Record, IReadOnlyList<string> Changes);

/// <summary>
/// The third planner, after a crash: nginx's config on disk says what serves (the running containers on the
/// ports it routes to). That version is current (adopted if state.json lagged); nginx runs that config; every
/// other running container drains and stops (the killed job's never-routed ones are removed). When the config
/// routes to containers that no longer run, it is rewritten for the recorded version first, so nothing is
/// stopped while nginx still sends traffic to it. A recorded canary whose containers run stays as it is; one whose
/// containers are gone is removed, and so is a split a killed canary deploy never recorded. Dependencies a killed job recreated are settled; the live
/// containers take the stable names. Pure.
/// </summary>
public static class RecoveryPlanner
{
    private static readonly TimeSpan DrainBound = TimeSpan.FromSeconds(30);

    /// <summary>The version of the running containers nginx's config routes to here; null when it routes to none (or there is no config).</summary>
    public static string? RoutedVersion(IReadOnlyList<(string Address, int Port)>? routed, IReadOnlyList<AppContainer> containers)
    {
        if (routed is null) return null;
        var ports = routed.Where(b => b.Address == ContainerSpecs.LoopbackAddress).Select(b => b.Port).ToHashSet();
        return containers.Where(c => c.IsRunning && ports.Contains(c.HostPort))
            .GroupBy(c => c.Version).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
    }

    /// <returns>Null when there is nothing to recover: the app was never recorded or runs nothing.</returns>
    public static RecoveryPlan? For(string app, AppRecord? record, IReadOnlyList<AppContainer> containers, IReadOnlyList<DependencyContainer> dependencies,
        IReadOnlyList<(string Address, int Port)>? routedBackends, InterruptedJob? interrupted, DateTimeOffset now, bool splitOnDisk = false)
    {
        // a canary serves beside the current version: its containers are neither what serves nor stray, while they run
        var canary = record?.Canary?.Deployment.Version;
        var canaryRuns = canary is not null && containers.Any(c => c.IsRunning && c.Version == canary);
        // a primary that only balances other servers' containers routes to none of its own
        var routed = RoutedVersion(routedBackends, containers.Where(c => c.Version != canary).ToList());
        var live = routed ?? record?.Current?.Version;
        if (record is null || live is null) return null;
        var changes = new List<string>();
        var actions = new List<PlanAction>();

        var after = Transition(record, live, containers, interrupted, now, changes);
        var stray = containers.Where(c => c.IsRunning && c.Version != live && !(canaryRuns && c.Version == canary)).ToList();
        var routesToTheGone = routed is null && routedBackends?.Any(b => b.Address == ContainerSpecs.LoopbackAddress) == true;
        if (canary is not null && !canaryRuns)
        {
            changes.Add($"the canary {canary} was removed: its containers no longer run");
            after = after.WithCanaryRemoved("its containers no longer ran when the agent started",
                new HistoryEntry(interrupted?.DeployId ?? "", live, now, 0, "succeeded (finished by the restarted agent)", "", "", null, "abort"));
        }
        // a killed canary deploy may have split nginx's traffic before it recorded the canary
        var unrecordedSplit = canary is null && splitOnDisk;
        if ((routesToTheGone || unrecordedSplit || canary is not null && !canaryRuns) && RouteAgain(record, changes) is { } routeAgain)
            actions.Add(routeAgain);
        var removed = new HashSet<string>();
        if (stray.Count > 0 || interrupted is not null) actions.AddRange(SettleStray(stray, routedBackends is not null, interrupted, removed, changes));
        actions.AddRange(SettleDependencies(app, dependencies, adoptedInterrupted: interrupted?.Plan?.Version == live && interrupted is not null, changes));

        var remaining = containers.Where(c => !removed.Contains(c.Id)).Select(c => stray.Contains(c) ? c with { State = "exited" } : c).ToList();
        foreach (var rename in ContainerNaming.Plan(remaining, ContainerNaming.LiveIds(live, remaining)))
        {
            actions.Add(new RenameContainer(rename.From, rename.To));
            changes.Add($"renamed {rename.From} to {rename.To}");
        }
        return new RecoveryPlan(live, actions, after, changes);
    }

    /// <summary>nginx routes to containers that are gone or stopped: it routes to the recorded version again, before anything else.</summary>
    private static SwitchProxy? RouteAgain(AppRecord record, List<string> changes)
    {
        if (record.Current is not { } recorded || recorded.RoutedContainers() is not { Count: > 0 } routedBefore) return null;
        changes.Add($"nginx rewritten for {recorded.Version}: its config routed to containers that no longer run");
        return new SwitchProxy(routedBefore[0].Service, routedBefore.Select(c => ContainerSpecs.LocalUpstream(c.HostPort, c.Name)).ToList(),
            LocalOnly: false, Proxy: null, $"Routing to {recorded.Version} again", $"nginx routes to {recorded.Version}");
    }

    /// <summary>nginx runs its config; what it does not route drains and stops, or goes when the killed job started it.</summary>
    private static IEnumerable<PlanAction> SettleStray(IReadOnlyList<AppContainer> stray, bool hasSite, InterruptedJob? interrupted, ISet<string> removed,
        List<string> changes)
    {
        if (hasSite) yield return new ReapplyProxy();
        if (hasSite && stray.Count > 0) yield return new Drain(ContainerSpecs.LoopbackEndpoints(stray).ToList(), DrainBound);
        foreach (var container in stray)
        {
            if (interrupted is not null && container.DeployId == interrupted.DeployId)
            {
                removed.Add(container.Id);
                changes.Add($"removed {container.Name} (started by the interrupted job, never routed)");
                yield return new RemoveContainer(container.Id, container.Name, "started by the interrupted job, never routed");
                continue;
            }
            changes.Add($"stopped {container.Name} (not routed)");
            yield return new StopContainer(container.Id, container.Name, Announce: false);
        }
    }

    private static AppRecord Transition(AppRecord record, string live, IReadOnlyList<AppContainer> containers, InterruptedJob? interrupted, DateTimeOffset now,
        List<string> changes)
    {
        if (record.Current?.Version != live)
        {
            changes.Add($"adopted {live}: nginx already routed to it");
            return record.WithSuccess(Adopted(live, containers, interrupted),
                new HistoryEntry(interrupted?.DeployId ?? "", live, now, 0, "succeeded (finished by the restarted agent)",
                    interrupted?.Plan?.DeployedBy ?? "", interrupted?.Plan?.CommitMessage ?? "", null, interrupted?.Operation ?? "deploy"));
        }
        return interrupted is null
            ? record
            : record.WithFailure(new HistoryEntry(interrupted.DeployId, interrupted.Plan?.Version ?? "", now, 0,
                "interrupted", interrupted.Plan?.DeployedBy ?? "", interrupted.Plan?.CommitMessage ?? "", "the agent stopped during the job", interrupted.Operation));
    }

    private static DeploymentRecord Adopted(string version, IReadOnlyList<AppContainer> containers, InterruptedJob? interrupted)
    {
        var own = containers.Where(c => c.Version == version).ToList();
        var adopted = new DeploymentRecord
        {
            Version = version,
            Image = "",
            DeployId = own.FirstOrDefault()?.DeployId ?? interrupted?.DeployId ?? "",
            DeployedAt = own.Select(c => c.DeployedAt).FirstOrDefault(d => d is not null) ?? DateTimeOffset.UtcNow,
            DeployedBy = own.FirstOrDefault()?.DeployedBy ?? "",
            Containers = own.Where(c => c.IsRunning).Select(c => new ContainerRecord(c.Name, c.Id, c.Service, c.Replica, c.HostPort)).ToList(),
        };
        return interrupted?.Plan?.Version == version ? adopted.WithPlan(interrupted.Plan) : adopted;
    }

    /// <summary>
    /// A dependency a killed job recreated has its old container stopped under its -previous name: when the
    /// job's version did not become live, the old one runs again; when it did, the old one goes.
    /// </summary>
    private static IEnumerable<PlanAction> SettleDependencies(string app, IReadOnlyList<DependencyContainer> dependencies, bool adoptedInterrupted, List<string> changes)
    {
        foreach (var previous in dependencies.Where(d => d.Name == ContainerNames.Superseded(ContainerNames.Dependency(app, d.Dependency))))
        {
            if (adoptedInterrupted)
            {
                changes.Add($"removed the previous {previous.Dependency} (its recreated one serves the adopted version)");
                yield return new RemoveContainer(previous.Id, previous.Name, "the previous container of a recreated dependency");
                continue;
            }
            var replacement = dependencies.FirstOrDefault(d => d.Dependency == previous.Dependency && d.Id != previous.Id);
            changes.Add($"the previous {previous.Dependency} runs again (the job that recreated it was interrupted)");
            yield return new RestoreDependency(previous.Id, ContainerNames.Dependency(app, previous.Dependency), replacement?.Id);
        }
    }
}

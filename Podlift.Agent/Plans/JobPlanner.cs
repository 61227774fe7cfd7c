using System.Net;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Proxy;
using Podlift.Protocol;

namespace Podlift.Agent.Plans;

/// <summary>
/// Deploys and rollbacks, planned: from the job and a snapshot of the server, the ordered actions that
/// take it from what runs to what the job wants, with zero downtime. New (or, in a rollback, the target's
/// own) containers start beside the old ones and must pass their checks; the release command runs; nginx
/// switches; the old ones drain and stop; old versions beyond retention go; the live containers take the
/// stable names. Pure: the same job and snapshot always give the same plan.
/// </summary>
public static partial class JobPlanner
{

    /// <summary>What differs between a deploy and a rollback: data, chosen once, never a branch inside the plan.</summary>
    /// <param name="AfterPhase">The hooks it runs at its end; null: none.</param>
    /// <param name="RemovesOld">The containers it takes traffic from go (a removed canary), rather than stop to be kept for rollback.</param>
    private sealed record JobKind(
        bool RunsBeforeHooks, bool NeedsImage, bool ManagesDependencies, bool StartsTargetContainers, bool RunsRelease, HookPhase? AfterPhase,
        Func<string, string> Announce, Func<string, string> Done, bool AnnouncesEachStop, bool Verifies, bool RemovesOld = false);

    private static readonly JobKind DeployKind = new(true, true, true, false, true, HookPhase.AfterDeploy,
        _ => "Traffic switching to new version...", _ => "100% of traffic on new version", false, Verifies: true);

    private static readonly JobKind RollbackKind = new(false, false, false, true, false, HookPhase.AfterRollback,
        version => $"Traffic switching to {version}...", version => $"Traffic routing to {version}", true, Verifies: false);

    /// <summary>The canary's web containers are up and checked; the services that did not start with it start now.</summary>
    private static readonly JobKind PromoteKind = new(false, true, false, true, false, HookPhase.AfterDeploy,
        version => $"Traffic switching to the canary {version} for every client...", _ => "100% of traffic on new version", false, Verifies: false);

    private static readonly JobKind AbortKind = new(false, false, false, true, false, null,
        version => $"Removing the canary: every client back on {version}...", version => $"100% of traffic on {version}; the canary has none", false,
        Verifies: false, RemovesOld: true);

    private static JobKind KindOf(Operation operation) => operation switch
    {
        Operation.Rollback => RollbackKind,
        Operation.Promote => PromoteKind,
        Operation.Abort => AbortKind,
        _ => DeployKind,
    };

    /// <summary>How many new containers need a host port: the snapshot reader reserves that many.</summary>
    public static int PortsNeeded(JobSpec job, IReadOnlyList<AppContainer> containers)
    {
        var reusable = Reusable(job, containers);
        return ServicesStarted(job.Plan).Where(s => s.ContainerPort > 0).Sum(s => Replicas(s).Count(r => !reusable.ContainsKey((s.Name, r))));
    }

    /// <param name="imageArrives">A dry run before the image was sent: it will be there when the job runs.</param>
    public static Plan For(JobSpec job, ServerSnapshot snapshot, bool imageArrives = false)
    {
        var kind = KindOf(job.Operation);
        var request = job.Plan;
        var network = request.Network ?? new NetworkPlan();
        if (kind.NeedsImage && !snapshot.ImagePresent && !imageArrives)
            throw new PlanRefused($"image {request.Image} is not on this server", "push the image before deploying it");
        if (Routes(request) && snapshot.SiteConflict is { } conflict)
            throw new PlanRefused($"nginx on this server: {conflict}", "give each app its own `domain:` in podlift.yml (one app may stay the default site)");
        if (job.Operation is Operation.Deploy or Operation.Rollback && snapshot.Record?.Canary is { } serving)
            throw new PlanRefused($"a canary of {serving.Deployment.Version} serves {Shares.Format(serving.Share)} of fresh clients on this server",
                "`podlift promote` switches everyone to it, `podlift rollback` removes it; then deploy again");
        if (request.Canary is { } canary) return CanaryFor(job, kind, snapshot, canary, network);

        var (actions, start) = BeforeTrafficMoves(job, kind, snapshot, network);
        var routed = start.Started.Where(c => c.Service.Routed).ToList();
        var switchesLocally = Routes(request) && routed.Count > 0;
        var backends = routed.Select(c => new Backend { Address = network.AdvertisedAddress, Port = c.HostPort, Name = c.Name }).ToList();
        // all or nothing: nothing switches (nor stops) anywhere until every server is ready
        if (request.Atomic)
            actions.Add(new AwaitGo(routed.FirstOrDefault()?.Service.Name ?? "", network.AwaitsPrimary ? backends : [], OnPrimary: network.PrimaryAddress.Length == 0));
        if (switchesLocally)
        {
            actions.Add(new OpenSwitchWindow());
            if (network.AwaitsPrimary && !request.Atomic)
                actions.Add(new AwaitPrimary(routed[0].Service.Name, backends));
            actions.Add(new SwitchProxy(routed[0].Service.Name, routed.Select(c => ContainerSpecs.LocalUpstream(c.HostPort, c.Name)).ToList(),
                network.AwaitsPrimary, request.Proxy, kind.Announce(request.Version), kind.Done(request.Version)));
        }
        var verify = kind.Verifies && switchesLocally && request.Verify is { WindowMilliseconds: > 0 } watched ? watched : null;
        var old = OldContainers(snapshot, start);
        // watched: the old version's web containers stay up, out of rotation, until the verdict, so a revert only routes back to them
        List<AppContainer> awaitingVerdict = verify is null ? [] : old.Where(c => c.Version != request.Version && IsRouted(request, c.Service)).ToList();
        actions.AddRange(Cleanup(job, kind, snapshot, start, switchesLocally, old, awaitingVerdict));
        actions.Add(new RecordDeployment(request.Version));
        // watched once recorded: a revert is a rollback from this version, with the one before still there to return to
        if (verify is not null)
        {
            actions.Add(new VerifyNewVersion(verify, routed.Select(c => $"{ContainerSpecs.LoopbackAddress}:{c.HostPort}").ToList()));
            foreach (var container in awaitingVerdict) actions.Add(new StopContainer(container.Id, container.Name, Announce: false, DeployStep.Verify));
            if (awaitingVerdict.Count > 0) actions.Add(new Say(DeployStep.Verify, EventLevel.Success, "Old web containers stopped"));
        }

        actions.AddRange(AfterHooks(job, kind.AfterPhase));
        return new Plan(job.Operation, request, actions) { RollbackTarget = job.RollbackTarget };
    }

    /// <summary>What runs while the old version still takes every request: the before_deploy hooks, the start and its checks, the release command.</summary>
    private static (List<PlanAction> Actions, StartPart Start) BeforeTrafficMoves(JobSpec job, JobKind kind, ServerSnapshot snapshot, NetworkPlan network)
    {
        var request = job.Plan;
        var actions = new List<PlanAction>();
        if (kind.RunsBeforeHooks && job.Hooks.BeforeDeploy.Count > 0)
            actions.Add(new RunHooks(DeployStep.BeforeHooks, HookPhase.BeforeDeploy, job.Hooks.BeforeDeploy.ToList()));

        var start = Start(job, kind, snapshot, network);
        actions.AddRange(start.Actions);
        if (kind.RunsRelease && request.Release is { Command.Count: > 0 } release)
            actions.Add(new RunRelease(release, ReleaseService(request, release), request.Version));
        return (actions, start);
    }

    private static IEnumerable<PlanAction> AfterHooks(JobSpec job, HookPhase? phase)
    {
        if (phase is not { } after) yield break;
        var commands = after == HookPhase.AfterRollback ? job.Hooks.AfterRollback : job.Hooks.AfterDeploy;
        if (commands.Count > 0) yield return new RunHooks(DeployStep.AfterHooks, after, commands.ToList());
    }

    internal static bool Routes(DeployPlan request) => request.Proxy?.Enabled == true && request.Services.Any(s => s.Routed);

    private static bool IsRouted(DeployPlan request, string service) => request.Services.Any(s => s.Routed && s.Name == service);

    /// <summary>The app's running containers the job does not bring up: the version it replaces.</summary>
    private static List<AppContainer> OldContainers(ServerSnapshot snapshot, StartPart start)
    {
        var startedIds = start.Started.Where(s => !s.New).Select(s => s.Id).ToHashSet();
        return snapshot.Containers.Where(c => c.IsRunning && !startedIds.Contains(c.Id)).ToList();
    }

    /// <summary>A canary starts only the routed service: the others (workers) change once it is promoted.</summary>
    private static IEnumerable<ServicePlan> ServicesStarted(DeployPlan request) => request.Canary is null ? request.Services : request.Services.Where(s => s.Routed);

    private static ServicePlan ReleaseService(DeployPlan request, ReleasePlan release) =>
        request.Services.FirstOrDefault(s => s.Name == release.Service) ?? request.Services.FirstOrDefault(s => s.Routed) ?? request.Services[0];

    private static IEnumerable<int> Replicas(ServicePlan service) => Enumerable.Range(1, Math.Max(1, service.Replicas));

    /// <summary>A rollback starts the target's own containers again, one per replica (the labels say which).</summary>
    private static Dictionary<(string Service, int Replica), AppContainer> Reusable(JobSpec job, IReadOnlyList<AppContainer> containers) =>
        !KindOf(job.Operation).StartsTargetContainers
            ? []
            : containers.Where(c => c.Version == job.Plan.Version).GroupBy(c => (c.Service, c.Replica))
                .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.IsRunning).ThenByDescending(c => c.StartedAt ?? DateTimeOffset.MinValue).First());

    /// <summary>A container the plan brings up, by the name it starts with.</summary>
    private sealed record Started(string Id, string Name, ServicePlan Service, int Replica, int HostPort, bool New);

    /// <param name="Removed">Containers the start removes (a stopped copy holding a name the job needs).</param>
    private sealed record StartPart(List<PlanAction> Actions, List<Started> Started, List<string> MovedAside, List<string> Recreated, List<string> Removed);

    private static StartPart Start(JobSpec job, JobKind kind, ServerSnapshot snapshot, NetworkPlan network)
    {
        var request = job.Plan;
        var part = new StartPart([new EnsureNetwork(ContainerSpecs.NetworkName(request.App))], [], [], [], []);
        var ports = new Queue<int>(snapshot.FreePorts);
        var reusable = Reusable(job, snapshot.Containers);
        var newPorts = snapshot.FreePorts.Take(PortsNeeded(job, snapshot.Containers));
        var peers = network.Peers.Count > 0;
        if (peers)
            part.Actions.Add(new ApplyFirewall(snapshot.Peers,
                snapshot.Containers.Select(c => c.HostPort).Concat(newPorts).Concat(request.Dependencies.Select(d => d.Port)).Where(p => p > 0).Distinct().Order().ToList()));
        if (kind.ManagesDependencies)
            foreach (var dependency in request.Dependencies)
            {
                var change = DependencyChangeOf(request.App, dependency, snapshot);
                part.Actions.Add(new EnsureDependency(dependency, peers ? ContainerSpecs.AllInterfaces : "", change));
                if (change == DependencyChange.Recreate) part.Recreated.Add(dependency.Name);
            }

        var bind = network.AwaitsPrimary ? ContainerSpecs.AllInterfaces : ContainerSpecs.LoopbackAddress;
        foreach (var service in ServicesStarted(request))
            foreach (var replica in Replicas(service))
                StartReplica(request, snapshot, reusable, service, replica, bind, ports, part);

        foreach (var started in part.Started)
            part.Actions.Add(request.SkipHealthcheck
                ? new Say(DeployStep.Start, EventLevel.Warning, $"{started.Name}: health check skipped (--skip-healthcheck)")
                : new CheckHealth(started.Name, started.Service, started.HostPort));
        return part;
    }

    private static void StartReplica(DeployPlan request, ServerSnapshot snapshot, IReadOnlyDictionary<(string, int), AppContainer> reusable,
        ServicePlan service, int replica, string bind, Queue<int> ports, StartPart part)
    {
        var name = ContainerNames.For(request.App, service.Name, request.Version, replica);
        if (reusable.TryGetValue((service.Name, replica), out var own))
        {
            part.Actions.Add(own.IsRunning ? new Say(DeployStep.Start, EventLevel.Info, $"Starting {own.Name}...") : new StartStopped(own.Id, own.Name, service, replica, own.HostPort));
            part.Started.Add(new Started(own.Id, own.Name, service, replica, own.HostPort, New: false));
            return;
        }
        // a redeploy of the same version reuses its names: a running holder steps aside until the new one is live
        if (snapshot.Containers.FirstOrDefault(c => c.Name == name) is { } holder)
        {
            if (holder.IsRunning)
            {
                part.Actions.Add(new MoveAside(holder.Id, name, ContainerNames.Replaced(name, snapshot.Now)));
                part.MovedAside.Add(holder.Id);
            }
            else
            {
                part.Actions.Add(new RemoveContainer(holder.Id, name, "a stopped copy of the version being deployed", DeployStep.Start));
                part.Removed.Add(holder.Id);
            }
        }
        var port = service.ContainerPort > 0 ? ports.Dequeue() : 0;
        part.Actions.Add(new CreateContainer(name, service, replica, port, bind));
        part.Started.Add(new Started("", name, service, replica, port, New: true));
    }

    private static DependencyChange DependencyChangeOf(string app, DependencyPlan dependency, ServerSnapshot snapshot)
    {
        var current = snapshot.Dependencies.FirstOrDefault(d => d.Dependency == dependency.Name && d.Name == ContainerNames.Dependency(app, dependency.Name));
        if (current is null) return DependencyChange.Create;
        if (current.ConfigHash != ContainerSpecs.ConfigHash(dependency)) return DependencyChange.Recreate;
        return current.Running ? DependencyChange.Keep : DependencyChange.Start;
    }

    /// <param name="awaitingVerdict">Old containers that stay up until the verification's verdict: drained here, stopped after it.</param>
    private static IEnumerable<PlanAction> Cleanup(JobSpec job, JobKind kind, ServerSnapshot snapshot, StartPart start, bool switchesLocally,
        IReadOnlyList<AppContainer> old, IReadOnlyList<AppContainer> awaitingVerdict)
    {
        var request = job.Plan;
        // an atomic rollout's primary also drains the other servers' old backends its switch replaced
        var drainsOthers = request.Atomic && request.Network is { PrimaryAddress.Length: 0, Peers.Count: > 0 };
        if (switchesLocally && (old.Count > 0 || drainsOthers))
        {
            var bound = request.DrainMilliseconds > 0 ? TimeSpan.FromMilliseconds(request.DrainMilliseconds) : PlanDefaults.Drain;
            yield return new Drain(ContainerSpecs.LoopbackEndpoints(old).ToList(), bound);
        }
        var stopped = old.Except(awaitingVerdict).ToList();
        var removed = new HashSet<string>(start.Removed);
        foreach (var container in stopped)
        {
            if (!kind.RemovesOld)
            {
                yield return new StopContainer(container.Id, container.Name, kind.AnnouncesEachStop);
                continue;
            }
            removed.Add(container.Id);
            yield return new RemoveContainer(container.Id, container.Name, "the removed canary");
        }
        if (stopped.Count > 0 && !kind.AnnouncesEachStop) yield return new Say(DeployStep.Cleanup, EventLevel.Success, kind.RemovesOld ? "Canary containers removed" : "Old containers stopped");
        if (awaitingVerdict.Count > 0)
            yield return new Say(DeployStep.Cleanup, EventLevel.Info, "The old web containers stay up, without traffic, until the new version is verified");
        if (switchesLocally) yield return new CloseSwitchWindow(VersionsOfBackends(request, snapshot, start));

        // a redeploy of the same version (moved aside or not): the containers it replaced are copies of the new ones, not a version to return to
        foreach (var superseded in old.Where(c => c.Version == request.Version))
        {
            removed.Add(superseded.Id);
            yield return new RemoveContainer(superseded.Id, superseded.Name, "replaced by its new copy");
        }
        if (start.Recreated.Count > 0) yield return new RetireDependencies(start.Recreated);

        foreach (var action in Prune(job, snapshot, start, old, removed)) yield return action;
        foreach (var rename in StableNames(request, snapshot, start, old, removed)) yield return rename;
    }

    /// <summary>Which version answers at each of this server's backends (host:port), old and new, for the receipt.</summary>
    private static IReadOnlyDictionary<string, string> VersionsOfBackends(DeployPlan request, ServerSnapshot snapshot, StartPart start)
    {
        var versions = snapshot.Containers.Where(c => c.HostPort > 0).ToDictionary(c => $"{ContainerSpecs.LoopbackAddress}:{c.HostPort}", c => c.Version);
        foreach (var started in start.Started.Where(s => s.HostPort > 0)) versions[$"{ContainerSpecs.LoopbackAddress}:{started.HostPort}"] = request.Version;
        return versions;
    }

    /// <summary>Stopped containers and images of versions beyond those kept; never this version or the rollback target after the job.</summary>
    private static IEnumerable<PlanAction> Prune(JobSpec job, ServerSnapshot snapshot, StartPart start, IReadOnlyList<AppContainer> old, ISet<string> removed)
    {
        var request = job.Plan;
        var after = RecordAfter(job, snapshot);
        var protectedVersions = new HashSet<string> { request.Version };
        if (after.Previous is { } previous) protectedVersions.Add(previous.Version);
        var startedIds = start.Started.Select(s => s.Id).ToHashSet();
        var remaining = snapshot.Containers.Where(c => !startedIds.Contains(c.Id) && !removed.Contains(c.Id))
            .Select(c => old.Contains(c) ? c with { State = "exited" } : c);
        var kept = request.VersionsKept > 0 ? request.VersionsKept : RetentionPolicy.DefaultVersionsKept;
        var pruned = RetentionPolicy.SelectForRemoval(remaining, kept, protectedVersions);
        foreach (var container in pruned)
        {
            removed.Add(container.Id);
            yield return new RemoveContainer(container.Id, container.Name, $"beyond the {kept} versions kept");
        }
        foreach (var version in pruned.Select(c => c.Version).Distinct())
            yield return new RemoveImage(ImageNames.WithTag(request.Image, version));
    }

    /// <summary>state.json as the job will leave it, near enough to know which versions retention must keep.</summary>
    private static State.AppRecord RecordAfter(JobSpec job, ServerSnapshot snapshot)
    {
        var (request, record, entry) = (job.Plan, snapshot.Record ?? new State.AppRecord { App = job.Plan.App }, History(job, snapshot));
        var deployed = job.RollbackTarget ?? new State.DeploymentRecord { Version = request.Version, Image = request.Image, DeployId = job.DeployId, DeployedAt = snapshot.Now };
        return job.Operation switch
        {
            Operation.Rollback when job.RollbackTarget is { } target => record.WithRollback(target, entry),
            Operation.Promote => record.WithPromotion(deployed, entry),
            Operation.Abort => record.WithCanaryRemoved(job.Reason, entry),
            _ => record.WithSuccess(deployed, entry),
        };
    }

    private static State.HistoryEntry History(JobSpec job, ServerSnapshot snapshot) =>
        new(job.DeployId, job.Plan.Version, snapshot.Now, 0, "succeeded", job.Plan.DeployedBy, job.Plan.CommitMessage, null,
            State.StateTerms.Word(job.Operation));

    /// <summary>The renames that give the containers left after the job their names (<see cref="ContainerNaming"/>), by name.</summary>
    private static IEnumerable<PlanAction> StableNames(DeployPlan request, ServerSnapshot snapshot, StartPart start, IReadOnlyList<AppContainer> old, ISet<string> removed)
    {
        var placeholder = "new:";
        var after = snapshot.Containers.Where(c => !removed.Contains(c.Id))
            .Select(c => old.Contains(c) ? c with { State = "exited" } : c)
            .Concat(start.Started.Where(s => s.New).Select(s => new AppContainer(placeholder + s.Name, s.Name, request.App, s.Service.Name, request.Version,
                s.Replica, "running", s.HostPort, snapshot.Now, request.DeployedBy, "none", snapshot.Now)))
            .ToList();
        var live = start.Started.Select(s => s.New ? placeholder + s.Name : s.Id).ToHashSet();
        return ContainerNaming.Plan(after, live).Select(r => new RenameContainer(r.From, r.To));
    }
}

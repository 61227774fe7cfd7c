using System.Net;
using Podlift.Agent.Proxy;
using Podlift.Protocol;

namespace Podlift.Agent.Plans;

/// <summary>
/// One thing a plan does on this server, as data: what the planners decide, what `--dry-run` prints, what
/// the executor runs. <see cref="Undo"/> says how the executor takes it back when the job fails before
/// traffic moved (null: nothing to take back).
/// </summary>
public abstract record PlanAction(DeployStep Step)
{
    public abstract string Describe();

    public virtual string? Undo => null;

    /// <summary>Once it succeeded, traffic may reach the new version: nothing before it is undone any more.</summary>
    public virtual bool Commits => false;
}

public enum HookPhase
{
    BeforeDeploy,
    AfterDeploy,
    AfterRollback,
}

/// <summary>podlift.yml's hooks of one phase, with `sh -c` as root. A failing before_deploy hook stops the job; an after hook only marks it.</summary>
public sealed record RunHooks(DeployStep Step, HookPhase Phase, IReadOnlyList<string> Commands) : PlanAction(Step)
{
    public string Name => Phase switch { HookPhase.BeforeDeploy => "before_deploy", HookPhase.AfterDeploy => "after_deploy", _ => "after_rollback" };
    public bool FailureStops => Phase == HookPhase.BeforeDeploy;
    public override string Describe() => string.Join('\n', Commands.Select(c => $"{Name}: {c}"));
}

/// <summary>A line for the user, where the planner wants one.</summary>
public sealed record Say(DeployStep Step, EventLevel Level, string Text) : PlanAction(Step)
{
    public override string Describe() => Text;
}

/// <summary>The app's Docker network: its containers and dependencies reach each other by name; its gateway is `primary` on the primary.</summary>
public sealed record EnsureNetwork(string Name) : PlanAction(DeployStep.Start)
{
    public override string Describe() => $"network {Name}";
}

/// <summary>The app's own iptables chain: only its other servers reach its published ports.</summary>
public sealed record ApplyFirewall(IReadOnlyList<IPAddress> Peers, IReadOnlyList<int> Ports) : PlanAction(DeployStep.Start)
{
    public override string Describe() => $"firewall: ports {string.Join(", ", Ports)} only from {string.Join(", ", Peers)}";
}

public enum DependencyChange
{
    Keep,
    Start,
    Create,
    Recreate,
}

/// <summary>A dependency as the plan wants it: kept, started, created, or recreated (its old container kept aside until the job is done).</summary>
public sealed record EnsureDependency(DependencyPlan Dependency, string BindAddress, DependencyChange Change) : PlanAction(DeployStep.Start)
{
    public override string Describe() => Change switch
    {
        DependencyChange.Keep => $"dependency {Dependency.Name}: running unchanged, kept",
        DependencyChange.Start => $"dependency {Dependency.Name}: started again (unchanged)",
        DependencyChange.Create => $"dependency {Dependency.Name}: created ({Dependency.Image})",
        _ => $"dependency {Dependency.Name}: recreated, its configuration changed ({Dependency.Image}; the volume stays)",
    };

    public override string? Undo => Change == DependencyChange.Recreate ? "the previous container runs again" : null;
}

/// <summary>A rollback target's own container, started again.</summary>
public sealed record StartStopped(string ContainerId, string Name, ServicePlan Service, int Replica, int HostPort) : PlanAction(DeployStep.Start)
{
    public override string Describe() => $"start {Name} again";
    public override string Undo => "stop it again";
}

/// <summary>A running container that holds the name a new one needs (a redeploy of the same version) steps aside.</summary>
public sealed record MoveAside(string ContainerId, string Name, string AsideName) : PlanAction(DeployStep.Start)
{
    public override string Describe() => $"rename {Name} to {AsideName} (it keeps serving)";
    public override string Undo => $"rename it back to {Name}";
}

public sealed record CreateContainer(string Name, ServicePlan Service, int Replica, int HostPort, string BindAddress) : PlanAction(DeployStep.Start)
{
    public override string Describe() =>
        $"start {Name} ({Service.Name}{(HostPort > 0 ? $", {BindAddress}:{HostPort} → {Service.ContainerPort}" : "")})";

    public override string Undo => "remove it";
}

/// <summary>A started container must pass its check: the HTTP one, the image's HEALTHCHECK, or (a worker) keep running.</summary>
public sealed record CheckHealth(string Name, ServicePlan Service, int HostPort) : PlanAction(DeployStep.Start)
{
    public override string Describe() => Service.Healthcheck is { } check && HostPort > 0
        ? $"health check {Name}: GET {Health.HttpCheck.From(check).Path} until it answers {string.Join(" or ", Health.HttpCheck.From(check).Expect)}"
        : $"health check {Name}: {(Service.ImageHealthcheck ? "the image's HEALTHCHECK, else " : "")}it must keep running";
}

/// <summary>The release command (migrations), once, in a one-off container of the new version.</summary>
public sealed record RunRelease(ReleasePlan Release, ServicePlan Service, string Version) : PlanAction(DeployStep.Release)
{
    public override string Describe() =>
        $"release: {string.Join(' ', Release.Command)} (in a one-off {Service.Name} container of {Version}; a failure stops the deploy)";
}

/// <summary>A non-primary web server: the CLI moves the primary's upstream to these backends; the job waits for its word.</summary>
public sealed record AwaitPrimary(string Service, IReadOnlyList<Backend> Backends) : PlanAction(DeployStep.Switch)
{
    public override string Describe() => $"the primary's load balancer takes {string.Join(", ", Backends.Select(b => $"{b.Address}:{b.Port}"))} and drains what they replace";
    public override bool Commits => true;
}

/// <summary>
/// An atomic rollout: this server is ready and waits for every server to be. On the primary, the go carries the
/// other servers' new backends, switched to with its own; elsewhere it comes once the primary routes here, so it
/// commits: the primary's load balancer may use <see cref="Backends"/> from then on.
/// </summary>
public sealed record AwaitGo(string Service, IReadOnlyList<Backend> Backends, bool OnPrimary) : PlanAction(DeployStep.Switch)
{
    public override string Describe() => OnPrimary
        ? "wait for every server to be ready (atomic), then switch to all their new backends at once"
        : $"wait for every server to be ready (atomic); the primary then takes {string.Join(", ", Backends.Select(b => $"{b.Address}:{b.Port}"))}";

    public override bool Commits => !OnPrimary;
}

/// <summary>
/// This server's nginx routes the app to <see cref="Local"/> (and, on the primary, to the other servers' backends too),
/// with <see cref="Proxy"/>'s settings (null: the settings it has).
/// </summary>
/// <param name="Canary">A canary beside <see cref="Local"/>: a share of clients goes to its backends; null: none (a canary there ends).</param>
public sealed record SwitchProxy(string Service, IReadOnlyList<UpstreamServer> Local, bool LocalOnly, ProxyPlan? Proxy, string Announce, string Done,
    CanarySplit? Canary = null, DeployStep Step = DeployStep.Switch)
    : PlanAction(Step)
{
    public override string Describe() =>
        $"nginx: upstream of {Service} → {Backends(Local)}{(LocalOnly ? "" : ", with the other servers' backends")}" +
        (Canary is { } canary ? $"; {Shares.Format(canary.Share)} of fresh clients (a cookie keeps each on its side) → {canary.Version}: {Backends(canary.Servers)}" : "");

    private static string Backends(IReadOnlyList<UpstreamServer> servers) => string.Join(", ", servers.Select(b => $"{b.Comment} ({b.Address}:{b.Port})"));

    public override string Undo => "the previous site is written back and loaded";
    /// <summary>A canary's split does not: until it is recorded, a failure takes it back with the canary's containers.</summary>
    public override bool Commits => Canary is null;
}

/// <summary>After the switch: the new version's backends (host:port) are watched; degraded, the job rolls back.</summary>
public sealed record VerifyNewVersion(VerifyPlan Plan, IReadOnlyList<string> Backends) : PlanAction(DeployStep.Verify)
{
    public override string Describe() =>
        $"watch {string.Join(", ", Backends)} for {Plan.WindowMilliseconds / 1000.0:0.#}s; above {Shares.Format(Plan.MaxErrorRate)} errors " +
        $"(once {Plan.MinRequests} requests came), roll back to the version before";
}

/// <summary>A canary serves: state.json records it beside the current deployment, which stays current until the promotion.</summary>
public sealed record RecordCanary(string Version, double Share, TimeSpan Hold) : PlanAction(DeployStep.Canary)
{
    public override string Describe() => Hold > TimeSpan.Zero
        ? $"record {Version} as a canary serving {Shares.Format(Share)} of fresh clients, held {Hold.TotalSeconds:0.#}s"
        : $"record {Version} as a canary serving {Shares.Format(Share)} of fresh clients, until `podlift promote` or `podlift rollback`";

    /// <summary>Once recorded the canary is the truth: a later failure (or a stopping agent) leaves it serving, never pulls it abruptly.</summary>
    public override bool Commits => true;
}

/// <summary>A canary's hold: its backends (host:port) are watched; degraded, the canary is removed; passed, it is promoted.</summary>
public sealed record WatchCanary(VerifyPlan Plan, IReadOnlyList<string> Backends) : PlanAction(DeployStep.Canary)
{
    public override string Describe() =>
        $"watch {string.Join(", ", Backends)} for {Plan.WindowMilliseconds / 1000.0:0.#}s; above {Shares.Format(Plan.MaxErrorRate)} errors " +
        $"(once {Plan.MinRequests} requests came), remove the canary; below, promote it (too few requests: it keeps serving as it is)";
}

/// <summary>nginx runs the config on disk (a killed agent may have written it without reloading).</summary>
public sealed record ReapplyProxy() : PlanAction(DeployStep.Switch)
{
    public override string Describe() => "nginx loads its config on disk";
}

/// <summary>A killed job's recreated dependency is taken back: its previous container gets its name back and runs again.</summary>
public sealed record RestoreDependency(string PreviousId, string Name, string? ReplacementId) : PlanAction(DeployStep.Start)
{
    public override string Describe() => $"{Name}: the previous container runs again";
}

/// <summary>The switch window begins: the receipt counts what nginx serves from here.</summary>
public sealed record OpenSwitchWindow() : PlanAction(DeployStep.Switch)
{
    public override string Describe() => "switch window: count what nginx serves from here (its request log)";
}

/// <summary>The switch window ends: what nginx served in it, by the version that answered (backend host:port → version).</summary>
public sealed record CloseSwitchWindow(IReadOnlyDictionary<string, string> VersionOfBackend) : PlanAction(DeployStep.Cleanup)
{
    public override string Describe() => "switch window: the receipt of what users got (requests, 5xx answers, failed attempts, per version)";
}

/// <summary>Waits until no connection to the old backends is open, or the bound passes.</summary>
public sealed record Drain(IReadOnlyList<IPEndPoint> Old, TimeSpan Bound) : PlanAction(DeployStep.Cleanup)
{
    public override string Describe() => $"drain {string.Join(", ", Old)} (up to {Bound.TotalSeconds:0.#}s)";
}

public sealed record StopContainer(string ContainerId, string Name, bool Announce, DeployStep Step = DeployStep.Cleanup) : PlanAction(Step)
{
    public override string Describe() => $"stop {Name} (kept for rollback)";
}

public sealed record RemoveContainer(string ContainerId, string Name, string Why, DeployStep Step = DeployStep.Cleanup) : PlanAction(Step)
{
    public override string Describe() => $"remove {Name} ({Why})";
}

public sealed record RemoveImage(string Image) : PlanAction(DeployStep.Cleanup)
{
    public override string Describe() => $"remove the image {Image} (beyond the versions kept)";
}

/// <summary>The old containers of the dependencies this job recreated go (their volumes stay).</summary>
public sealed record RetireDependencies(IReadOnlyList<string> Names) : PlanAction(DeployStep.Cleanup)
{
    public override string Describe() => $"remove the previous containers of {string.Join(", ", Names)}";
}

/// <summary>By name: a container created by this job has no id until it exists.</summary>
public sealed record RenameContainer(string From, string To) : PlanAction(DeployStep.Cleanup)
{
    public override string Describe() => $"rename {From} to {To}";
}

/// <summary>state.json records the new deployment (or the rollback); after it, only the after hooks run.</summary>
public sealed record RecordDeployment(string Version) : PlanAction(DeployStep.Cleanup)
{
    public override string Describe() => $"record {Version} as the current deployment";
}

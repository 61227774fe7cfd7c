namespace Podlift.Protocol;

/// <summary>
/// What an agent can do beyond the first protocol version, by name. protobuf drops, without a word, the fields an
/// agent does not know, and an agent answers Unimplemented to an RPC it lacks only once the CLI is halfway through;
/// so every field the agent must act on and every RPC added since protocol 1 has a name here. The agent advertises
/// <see cref="Supported"/> in Hello (HelloReply.capabilities); before anything changes on any server, the CLI
/// refuses an agent that lacks what the command needs, or does without an optional feature and says so. An agent
/// that sends none predates capabilities: it has none of them.
/// A new feature: a constant here, in <see cref="Supported"/>, and where the CLI works out what a command needs
/// (Podlift.Cli/Planning/CapabilityNeeds.cs).
/// </summary>
public static class Capabilities
{
    // Protocol 1 as first shipped (Hello, ImageStatus, PushImage of a whole uncompressed save, Deploy of services with
    // replicas, port, command, env, HTTP health check, routing, proxy domain, drain, State) needs no name.
    // Reply fields the CLI only shows (AppState.history, previous, rebuilt_from_labels, DeployEvent.operation) read as
    // empty from an older agent and change nothing: they have none either. Protocol 2 (AppState's current and previous as
    // messages, outcome and health as enums) kept the capabilities below and their names.

    /// <summary>The Rollback RPC (RollbackRequest), with the ledger it picks the version from.</summary>
    public const string Rollback = "rollback";

    /// <summary>The Attach RPC.</summary>
    public const string Attach = "attach";

    /// <summary>DeployPlan.dependencies.</summary>
    public const string Dependencies = "dependencies";

    /// <summary>DeployPlan.hooks and RollbackRequest.hooks: their commands, the hook steps and HookRan events.</summary>
    public const string Hooks = "hooks";

    /// <summary>ServicePlan.volumes.</summary>
    public const string Volumes = "volumes";

    /// <summary>ServicePlan.options and DependencyPlan.options: memory, cpus, restart.</summary>
    public const string ContainerOptions = "container-options";

    /// <summary>ServicePlan.image_healthcheck: the image's HEALTHCHECK decides when none is configured.</summary>
    public const string ImageHealthcheck = "image-healthcheck";

    /// <summary>DeployPlan.versions_kept (retain:).</summary>
    public const string VersionsKept = "versions-kept";

    /// <summary>The Logs RPC.</summary>
    public const string Logs = "logs";

    /// <summary>The Exec RPC.</summary>
    public const string Exec = "exec";

    /// <summary>HelloReply.active_deploys.</summary>
    public const string ActiveDeploys = "active-deploys";

    /// <summary>DeployPlan.network (primary_address, peers, awaits_primary, advertised_address), SetUpstream, ConfirmSwitch, AwaitingSwitch.</summary>
    public const string MultiServer = "multi-server";

    /// <summary>ProxyPlan.tls.</summary>
    public const string Tls = "tls";

    /// <summary>The ApplyProxy RPC.</summary>
    public const string ApplyProxy = "apply-proxy";

    /// <summary>The MissingLayers RPC (with full_image_reason) and PushHeader.compression and omitted_layers.</summary>
    public const string LayerDelta = "layer-delta";

    /// <summary>DeployPlan.source and AppState.current.source: one app name, one project.</summary>
    public const string AppSource = "app-source";

    /// <summary>The PullImage RPC (registry mode).</summary>
    public const string PullImage = "pull-image";

    /// <summary>HooksPlan.environment: the values of the ${VAR}s hooks name.</summary>
    public const string HookEnvironment = "hook-environment";

    /// <summary>NetworkPlan.dependency_hosts: dependencies that run on other servers, reached by name.</summary>
    public const string DependencyHosts = "dependency-hosts";

    /// <summary>AppState.dependencies.</summary>
    public const string DependencyState = "dependency-state";

    /// <summary>LogsRequest.dependency and ExecStart.dependency: logs and exec of a dependency.</summary>
    public const string DependencyTargets = "dependency-targets";

    /// <summary>ProxyPlan.domains, limits and trusted_proxies (and AppState.has_site, site_domains): what nginx allows and believes.</summary>
    public const string ProxySettings = "proxy-settings";

    /// <summary>DeployPlan.release and DEPLOY_STEP_RELEASE: the release command before the switch.</summary>
    public const string Release = "release";

    /// <summary>DeployPlan.dry_run and RollbackRequest.dry_run: the agent answers with the plan it would run (PlanPreview).</summary>
    public const string AgentPlans = "agent-plans";

    /// <summary>DeployPlan.atomic, AwaitingSwitch.awaits_go, ConfirmSwitchRequest.others: all-or-nothing rollouts.</summary>
    public const string AtomicRollout = "atomic-rollout";

    /// <summary>RollbackRequest.atomic: a rollback across servers as an atomic rollout (the old version's containers wait, ready, for the go).</summary>
    public const string AtomicRollback = "atomic-rollback";

    /// <summary>DeployPlan.verify: the agent watches the new version after the switch and reverts it by itself.</summary>
    public const string Verify = "verify";

    /// <summary>DeployPlan.canary, the Promote RPC, Rollback removing a canary, AppState.canary, DeployFinished.canary.</summary>
    public const string Canary = "canary";

    /// <summary>Everything this build's agent implements, as it says in Hello.</summary>
    public static IReadOnlyList<string> Supported { get; } =
    [
        Rollback, Attach, Dependencies, Hooks, Volumes, ContainerOptions, ImageHealthcheck, VersionsKept, Logs, Exec, ActiveDeploys,
        MultiServer, Tls, ApplyProxy, LayerDelta, AppSource, PullImage, HookEnvironment, DependencyHosts, DependencyState, DependencyTargets,
        ProxySettings, Release, AgentPlans, AtomicRollout, Verify, AtomicRollback, Canary,
    ];
}

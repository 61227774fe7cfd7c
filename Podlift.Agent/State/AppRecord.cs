using Podlift.Agent.Health;

namespace Podlift.Agent.State;

/// <summary>One deployed version of an app on this server, with the plan that made it (so rollback can recreate it).</summary>
public sealed record DeploymentRecord
{
    public required string Version { get; init; }
    public required string Image { get; init; }
    public required string DeployId { get; init; }
    public required DateTimeOffset DeployedAt { get; init; }
    public string DeployedBy { get; init; } = "";
    public string CommitMessage { get; init; } = "";
    public IReadOnlyList<ContainerRecord> Containers { get; init; } = [];
    /// <summary>The HTTP health check per service, so `ps` and `status` ask the deploy's question and accept its answers.</summary>
    public IReadOnlyDictionary<string, HttpCheck> HealthChecks { get; init; } = new Dictionary<string, HttpCheck>();
    /// <summary>What agents recorded before <see cref="HealthChecks"/>: the path alone; still read from older state.json files.</summary>
    public IReadOnlyDictionary<string, string>? HealthPaths { get; init; }
    /// <summary>The DeployPlan as protobuf JSON; it holds env values, so state.json is root-only (0600).</summary>
    public string? PlanJson { get; init; }
    /// <summary>The project that deployed it (git remote, or host:path).</summary>
    public string Source { get; init; } = "";

    /// <summary>Set when a rollback left this deployment: it is no longer a rollback target.</summary>
    public bool RolledBack { get; init; }

    /// <summary>The service's HTTP health check; from an older record, its path with the default expected status (200).</summary>
    public HttpCheck? HealthCheckOf(string service) =>
        HealthChecks.TryGetValue(service, out var check) ? check
        : HealthPaths?.TryGetValue(service, out var path) == true ? new HttpCheck(path, HttpCheck.DefaultExpect)
        : null;

    /// <summary>The running containers of the service nginx routes to, per the recorded plan.</summary>
    public IReadOnlyList<ContainerRecord> RoutedContainers()
    {
        if (PlanJson is null) return [];
        var plan = Google.Protobuf.JsonParser.Default.Parse<Podlift.Protocol.DeployPlan>(PlanJson);
        var routed = plan.Services.FirstOrDefault(s => s.Routed)?.Name;
        return routed is null ? [] : Containers.Where(c => c.Service == routed && c.HostPort > 0).ToList();
    }

    /// <summary>This deployment with what its plan says: image, commit, health checks, and the plan itself.</summary>
    public DeploymentRecord WithPlan(Podlift.Protocol.DeployPlan plan) => this with
    {
        Image = plan.Image,
        CommitMessage = plan.CommitMessage,
        DeployedBy = DeployedBy.Length > 0 ? DeployedBy : plan.DeployedBy,
        Source = plan.Source,
        HealthChecks = plan.Services.Where(s => s.Healthcheck is not null).ToDictionary(s => s.Name, s => HttpCheck.From(s.Healthcheck)),
        HealthPaths = null,
        PlanJson = Google.Protobuf.JsonFormatter.Default.Format(plan),
    };
}

public sealed record ContainerRecord(string Name, string Id, string Service, int Replica, int HostPort);

/// <summary>
/// A canary: <see cref="Deployment"/>'s web containers take <see cref="Share"/> of fresh clients beside the current
/// deployment, which stays current (and the rollback target stays as it was) until the promotion.
/// </summary>
/// <param name="HoldUntil">When its hold ends (it is promoted then if it passed); null: it waits for `podlift promote`.</param>
/// <param name="HoldLogFrom">
/// Where nginx's request log of the app stood when the hold began: a hold resumed after an agent restart counts from there.
/// Null in a record of an older agent: such a hold counts from when it is resumed, never from the log's start (old lines of reused ports).
/// </param>
public sealed record CanaryRecord(DeploymentRecord Deployment, double Share, DateTimeOffset? HoldUntil, long? HoldLogFrom = null)
{
    /// <summary>The hold is over without a verdict (too few requests): the canary waits for `podlift promote` or `podlift rollback`.</summary>
    public CanaryRecord HoldEnded() => this with { HoldUntil = null };
}

/// <summary>A finished deploy or rollback, kept in the ledger.</summary>
/// <param name="Receipt">What this server's nginx served while the job moved traffic; null: it moved none (or an older agent ran it).</param>
public sealed record HistoryEntry(
    string DeployId, string Version, DateTimeOffset StartedAt, long DurationMilliseconds,
    string Outcome, string DeployedBy, string CommitMessage, string? Error, string Operation = "deploy", Proxy.TrafficReceipt? Receipt = null);

/// <summary>Everything /var/lib/podlift/&lt;app&gt;/state.json holds. Transitions are pure.</summary>
public sealed record AppRecord
{
    public const int HistoryLimit = 50;
    public const int DeploymentsLimit = 20;

    /// <summary>1: the first schema with a version (before it, the field was absent: read as 1).</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string App { get; init; }
    public DeploymentRecord? Current { get; init; }
    /// <summary>The rollback target: the newest deployment before the current one that was not rolled back.</summary>
    public DeploymentRecord? Previous { get; init; }
    /// <summary>Successful deployments, oldest first.</summary>
    public IReadOnlyList<DeploymentRecord> Deployments { get; init; } = [];
    public IReadOnlyList<HistoryEntry> History { get; init; } = [];
    /// <summary>A canary serving beside <see cref="Current"/>; null: none.</summary>
    public CanaryRecord? Canary { get; init; }

    public AppRecord WithSuccess(DeploymentRecord deployed, HistoryEntry entry)
    {
        var deployments = Deployments.Append(deployed).TakeLast(DeploymentsLimit).ToList();
        return this with { Current = deployed, Deployments = deployments, Previous = PreviousOf(deployed, deployments), History = Append(entry) };
    }

    /// <summary>The current deployment is abandoned for <paramref name="target"/>, which becomes current again.</summary>
    public AppRecord WithRollback(DeploymentRecord target, HistoryEntry entry)
    {
        var deployments = Deployments
            .Select(d => d.DeployId == Current?.DeployId ? d with { RolledBack = true } : d)
            .Where(d => d.DeployId != target.DeployId)
            .Append(target with { RolledBack = false })
            .ToList();
        return this with { Current = target, Deployments = deployments, Previous = PreviousOf(target, deployments), History = Append(entry) };
    }

    public AppRecord WithFailure(HistoryEntry entry) => this with { History = Append(entry) };

    /// <summary>A canary serves beside the current deployment; its deploy's entry says so until it is promoted or removed.</summary>
    public AppRecord WithCanary(CanaryRecord canary, HistoryEntry entry) => this with { Canary = canary, History = Append(entry) };

    /// <summary>The canary takes everyone: its deployment is current, the one it stood beside is the rollback target.</summary>
    public AppRecord WithPromotion(DeploymentRecord promoted, HistoryEntry entry) => CanarySettled("succeeded (promoted)", null).WithSuccess(promoted, entry);

    /// <summary>The canary is gone: the current deployment never stopped being current; the canary's entry says why it ended.</summary>
    public AppRecord WithCanaryRemoved(string reason, HistoryEntry entry) => CanarySettled("aborted", reason).WithFailure(entry);

    private AppRecord CanarySettled(string outcome, string? error) =>
        (Canary is { } canary ? WithOutcome(canary.Deployment.DeployId, outcome, error) : this) with { Canary = null };

    /// <summary>A finished job's entry says how it ended after all (a deploy reverted after its verification).</summary>
    public AppRecord WithOutcome(string deployId, string outcome, string? error) => this with
    {
        History = History.Select(h => h.DeployId == deployId ? h with { Outcome = outcome, Error = error } : h).ToList(),
    };

    /// <summary>A deployment still worth going back to, matched by version or version prefix.</summary>
    public DeploymentRecord? FindDeployment(string versionOrPrefix) =>
        Deployments.Reverse().FirstOrDefault(d => d.Version == versionOrPrefix)
        ?? Deployments.Reverse().FirstOrDefault(d => VersionMatches(d.Version, versionOrPrefix));

    /// <summary>A short sha given longer or shorter than it was recorded still names it (<see cref="Podlift.Protocol.Versions"/>).</summary>
    public static bool VersionMatches(string version, string query) => Podlift.Protocol.Versions.Match(version, query);

    private static DeploymentRecord? PreviousOf(DeploymentRecord current, IReadOnlyList<DeploymentRecord> deployments) =>
        deployments.Reverse().FirstOrDefault(d => d.Version != current.Version && !d.RolledBack);

    private IReadOnlyList<HistoryEntry> Append(HistoryEntry entry) => History.Append(entry).TakeLast(HistoryLimit).ToList();
}

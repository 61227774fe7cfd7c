namespace Podlift.Agent.State;

/// <summary>One deployed version of an app on this server.</summary>
public sealed record DeploymentRecord
{
    public required string Version { get; init; }
    public required string Image { get; init; }
    public required string DeployId { get; init; }
    public required DateTimeOffset DeployedAt { get; init; }
    public string DeployedBy { get; init; } = "";
    public string CommitMessage { get; init; } = "";
    public IReadOnlyList<ContainerRecord> Containers { get; init; } = [];
    /// <summary>Health check path per service, so `ps` can ask the same question the deploy asked.</summary>
    public IReadOnlyDictionary<string, string> HealthPaths { get; init; } = new Dictionary<string, string>();
}

public sealed record ContainerRecord(string Name, string Id, string Service, int Replica, int HostPort);

/// <summary>A finished deploy attempt, kept in the ledger.</summary>
public sealed record HistoryEntry(
    string DeployId, string Version, DateTimeOffset StartedAt, long DurationMilliseconds,
    string Outcome, string DeployedBy, string CommitMessage, string? Error);

/// <summary>Everything /var/lib/podlift/&lt;app&gt;/state.json holds.</summary>
public sealed record AppRecord
{
    public required string App { get; init; }
    public DeploymentRecord? Current { get; init; }
    public DeploymentRecord? Previous { get; init; }
    public IReadOnlyList<HistoryEntry> History { get; init; } = [];

    public const int HistoryLimit = 50;

    public AppRecord WithSuccess(DeploymentRecord deployed, HistoryEntry entry) => this with
    {
        Previous = Current?.Version == deployed.Version ? Previous : Current,
        Current = deployed,
        History = Append(entry),
    };

    public AppRecord WithFailure(HistoryEntry entry) => this with { History = Append(entry) };

    private IReadOnlyList<HistoryEntry> Append(HistoryEntry entry) => History.Append(entry).TakeLast(HistoryLimit).ToList();
}

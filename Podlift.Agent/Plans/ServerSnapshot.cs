using System.Net;
using Podlift.Agent.Docker;
using Podlift.Agent.State;

namespace Podlift.Agent.Plans;

/// <summary>
/// What a planner knows of this server, read once before it decides: the app's record and containers,
/// its dependencies, what nginx routes to, whether the image is there, the host ports the new containers
/// get, and the addresses of the other servers. Planners are pure over it.
/// </summary>
public sealed record ServerSnapshot
{
    public required string App { get; init; }
    public AppRecord? Record { get; init; }
    public IReadOnlyList<AppContainer> Containers { get; init; } = [];
    public IReadOnlyList<DependencyContainer> Dependencies { get; init; } = [];
    /// <summary>The backends the app's nginx site routes to; null: it has no site.</summary>
    public IReadOnlyList<(string Address, int Port)>? RoutedBackends { get; init; }
    /// <summary>Why the app's site would clash with another app's on this server; null: it would not.</summary>
    public string? SiteConflict { get; init; }
    public bool ImagePresent { get; init; }
    /// <summary>Host ports for the containers to create, in the order they are handed out.</summary>
    public IReadOnlyList<int> FreePorts { get; init; } = [];
    public IReadOnlyList<IPAddress> Peers { get; init; } = [];
    /// <summary>How containers here reach the primary; null: this is the primary (its app network's gateway).</summary>
    public string? PrimaryAddress { get; init; }
    public IReadOnlyDictionary<string, string> DependencyAddresses { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    public string? CurrentVersion => Record?.Current?.Version;
}

namespace Podlift.Protocol;

/// <summary>
/// The defaults of a plan, known once: the CLI fills them in for what podlift.yml leaves out, and the agent
/// uses them for a plan (or a recorded one) that leaves a field unset.
/// </summary>
public static class PlanDefaults
{
    /// <summary>Old versions kept on each server for rollback (retain:).</summary>
    public const int VersionsKept = 3;

    /// <summary>The longest wait for in-flight requests to the old containers (drain:).</summary>
    public static readonly TimeSpan Drain = TimeSpan.FromSeconds(30);

    /// <summary>The port a service's app listens on in its container.</summary>
    public const int ServicePort = 8000;

    public const string HealthPath = "/health";
    public static readonly IReadOnlyList<int> HealthExpect = [200];
    public static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(10);
    public const int HealthRetries = 3;

    /// <summary>verify: above this share of errors the new version is rolled back (1%).</summary>
    public const double VerifyMaxErrorRate = 0.01;
    /// <summary>verify: fewer requests in the whole window are too few to judge.</summary>
    public const int VerifyMinRequests = 20;
}

/// <summary>Versions are git short shas: one given longer or shorter than it was recorded still names it.</summary>
public static class Versions
{
    /// <summary>The same, or <paramref name="query"/> (4 characters at least) is a prefix of it, or it is a prefix of a longer query.</summary>
    public static bool Match(string version, string query) =>
        version == query
        || (query.Length >= 4 && version.StartsWith(query, StringComparison.Ordinal))
        || (version.Length >= 7 && query.StartsWith(version, StringComparison.Ordinal));
}

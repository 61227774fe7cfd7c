using Podlift.Protocol;

namespace Podlift.Agent.Health;

/// <summary>
/// What a service's HTTP health check asks and accepts: GET <see cref="Path"/>, healthy when the status is one
/// of <see cref="Expect"/> (a redirect is an answer, never followed). The one definition of healthy: the deploy's
/// probes and the health `ps` and `status` show both decide by <see cref="IsHealthy"/>.
/// </summary>
public sealed record HttpCheck(string Path, IReadOnlyList<int> Expect)
{
    public const string DefaultPath = PlanDefaults.HealthPath;

    /// <summary>What a check that names no status expects, as podlift.yml's default does.</summary>
    public static readonly IReadOnlyList<int> DefaultExpect = PlanDefaults.HealthExpect;

    public static HttpCheck From(HealthCheckPlan plan) => new(
        string.IsNullOrEmpty(plan.Path) ? DefaultPath : plan.Path,
        plan.Expect.Count > 0 ? plan.Expect.ToArray() : DefaultExpect);

    public bool IsHealthy(int statusCode) => Expect.Contains(statusCode);
}

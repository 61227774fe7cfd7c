using Podlift.Protocol;

namespace Podlift.Agent.Health;

/// <summary>
/// How a new container proves it is ready: one GET of <see cref="Path"/> answered with an expected status.
/// <see cref="Timeout"/> bounds the whole wait; <see cref="Interval"/> caps the pause between probes;
/// <see cref="Retries"/> is how many wrong answers (an HTTP status not expected) are tolerated.
/// Refused connections while the app boots count only against the timeout.
/// </summary>
public sealed record HealthCheckSettings(string Path, IReadOnlyList<int> Expect, TimeSpan Timeout, TimeSpan Interval, int Retries)
{
    public static HealthCheckSettings From(HealthCheckPlan plan) => new(
        string.IsNullOrEmpty(plan.Path) ? "/health" : plan.Path,
        plan.Expect.Count > 0 ? plan.Expect.ToArray() : [200],
        TimeSpan.FromMilliseconds(plan.TimeoutMilliseconds > 0 ? plan.TimeoutMilliseconds : 30_000),
        TimeSpan.FromMilliseconds(plan.IntervalMilliseconds > 0 ? plan.IntervalMilliseconds : 10_000),
        plan.Retries > 0 ? plan.Retries : 3);
}

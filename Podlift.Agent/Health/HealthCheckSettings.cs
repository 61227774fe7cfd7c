using Podlift.Protocol;

namespace Podlift.Agent.Health;

/// <summary>
/// How a new container proves it is ready: one GET answered as <see cref="Check"/> expects.
/// <see cref="Timeout"/> bounds the whole wait; <see cref="Interval"/> caps the pause between probes;
/// <see cref="Retries"/> is how many wrong answers (an HTTP status not expected) are tolerated.
/// Refused connections and 503 while the app boots count only against the timeout.
/// </summary>
public sealed record HealthCheckSettings(HttpCheck Check, TimeSpan Timeout, TimeSpan Interval, int Retries)
{
    public static HealthCheckSettings From(HealthCheckPlan plan) => new(
        HttpCheck.From(plan),
        plan.TimeoutMilliseconds > 0 ? TimeSpan.FromMilliseconds(plan.TimeoutMilliseconds) : PlanDefaults.HealthTimeout,
        plan.IntervalMilliseconds > 0 ? TimeSpan.FromMilliseconds(plan.IntervalMilliseconds) : PlanDefaults.HealthInterval,
        plan.Retries > 0 ? plan.Retries : PlanDefaults.HealthRetries);
}

using Podlift.Protocol;

namespace Podlift.Agent.State;

/// <summary>The words the ledger and Docker use, as the State reply's enums. Pure.</summary>
public static class StateTerms
{
    /// <summary>
    /// A ledger entry's outcome ("succeeded", "failed", "succeeded-with-errors", "interrupted", "succeeded (finished by
    /// the restarted agent)") as an enum and what the parentheses add; words it does not know stay whole in the detail.
    /// </summary>
    public static (Outcome Outcome, string Detail) Outcome(string recorded)
    {
        var open = recorded.IndexOf(" (", StringComparison.Ordinal);
        var (word, detail) = open > 0 && recorded.EndsWith(')') ? (recorded[..open], recorded[(open + 2)..^1]) : (recorded, "");
        return word switch
        {
            "succeeded" => (Protocol.Outcome.Succeeded, detail),
            "failed" => (Protocol.Outcome.Failed, detail),
            "succeeded-with-errors" => (Protocol.Outcome.SucceededWithErrors, detail),
            "interrupted" => (Protocol.Outcome.Interrupted, detail),
            "reverted" => (Protocol.Outcome.Reverted, detail),
            _ => (Protocol.Outcome.Unknown, recorded),
        };
    }

    /// <summary>Docker's health status of a running container ("none": it has no HEALTHCHECK).</summary>
    public static HealthState DockerHealth(string status) => status switch
    {
        "healthy" => HealthState.Healthy,
        "unhealthy" => HealthState.Unhealthy,
        "starting" => HealthState.Starting,
        "none" or "" => HealthState.Running,
        _ => HealthState.Unknown,
    };
}

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
            "canary" => (Protocol.Outcome.Canary, detail),
            "aborted" => (Protocol.Outcome.Aborted, detail),
            _ => (Protocol.Outcome.Unknown, recorded),
        };
    }

    /// <summary>How the ledger names a job's operation.</summary>
    public static string Word(Operation operation) => operation switch
    {
        Protocol.Operation.Rollback => "rollback",
        Protocol.Operation.Promote => "promote",
        Protocol.Operation.Abort => "abort",
        _ => "deploy",
    };

    /// <summary>A ledger entry's operation; words it does not know (none yet) read as a deploy.</summary>
    public static Operation Operation(string word) => word switch
    {
        "rollback" => Protocol.Operation.Rollback,
        "promote" => Protocol.Operation.Promote,
        "abort" => Protocol.Operation.Abort,
        _ => Protocol.Operation.Deploy,
    };

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

using Podlift.Protocol;

namespace Podlift.Cli.Output;

/// <summary>The State reply's enums in the words `ps` and `status` print. Pure.</summary>
public static class StateWords
{
    /// <param name="status">Docker's state of a container (exited, created...), which is what a stopped one shows; none for a dependency.</param>
    public static string Health(HealthState health, string status = "") => health switch
    {
        HealthState.Healthy => "healthy",
        HealthState.Unhealthy => "unhealthy",
        HealthState.Starting => "starting",
        HealthState.Running => "running",
        HealthState.Stopped => status.Length > 0 ? status : "stopped",
        _ => "unknown",
    };

    /// <summary>A job's operation as `status` lists it.</summary>
    public static string Operation(Protocol.Operation operation) => operation switch
    {
        Protocol.Operation.Rollback => "rollback",
        Protocol.Operation.Promote => "promote",
        Protocol.Operation.Abort => "abort",
        _ => "deploy",
    };

    /// <summary>"succeeded", "failed", "succeeded (finished by the restarted agent)"...</summary>
    public static string Outcome(DeploymentInfo entry)
    {
        var word = entry.Outcome switch
        {
            Protocol.Outcome.Succeeded => "succeeded",
            Protocol.Outcome.Failed => "failed",
            Protocol.Outcome.SucceededWithErrors => "succeeded-with-errors",
            Protocol.Outcome.Interrupted => "interrupted",
            Protocol.Outcome.Reverted => "reverted",
            Protocol.Outcome.Canary => "canary",
            Protocol.Outcome.Aborted => "aborted",
            _ => null,
        };
        return word is null ? (entry.OutcomeDetail.Length > 0 ? entry.OutcomeDetail : "unknown")
            : entry.OutcomeDetail.Length > 0 ? $"{word} ({entry.OutcomeDetail})" : word;
    }
}

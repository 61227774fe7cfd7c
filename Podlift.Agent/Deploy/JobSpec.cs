using System.Text.RegularExpressions;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// One job for <see cref="DeployJob"/>: a deploy of a new plan, or a rollback to a recorded deployment
/// (whose stopped containers are started again rather than recreated).
/// </summary>
public sealed partial record JobSpec(Operation Operation, DeployPlan Plan, string DeployId, HooksPlan Hooks, DeploymentRecord? RollbackTarget)
{
    public bool IsRollback => Operation == Operation.Rollback;

    /// <summary>Why the job runs, when the ledger keeps it: a canary's removal says who or what removed it.</summary>
    public string Reason { get; init; } = "";

    /// <summary>The job takes up a recorded canary's hold that a restart of the agent cut short: it watches what is left of it, then settles it.</summary>
    public bool ResumesHold { get; init; }

    public static string NewDeployId(string version) => $"{DateTimeOffset.UtcNow:yyyyMMddTHHmmssfffZ}-{version}";

    /// <summary>A deploy id names its journal and plan files: one plain file name, as <see cref="NewDeployId"/> makes them.</summary>
    public static bool IsDeployId(string id) => DeployIdPattern().IsMatch(id);

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,159}\z")]
    private static partial Regex DeployIdPattern();
}

using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// One job for <see cref="DeployJob"/>: a deploy of a new plan, or a rollback to a recorded deployment
/// (whose stopped containers are started again rather than recreated).
/// </summary>
public sealed record JobSpec(Operation Operation, DeployPlan Plan, string DeployId, HooksPlan Hooks, DeploymentRecord? RollbackTarget)
{
    public bool IsRollback => Operation == Operation.Rollback;

    public static string NewDeployId(string version) => $"{DateTimeOffset.UtcNow:yyyyMMddTHHmmssfffZ}-{version}";
}

using Google.Protobuf;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// What a promotion and a removal of a canary are, decided before anything live is touched. The promotion brings the
/// canary's recorded plan to every client (its services that waited start then); the removal is the current
/// deployment's plan, which never stopped serving, with the canary's containers leaving it. Pure.
/// </summary>
public static class CanaryJobs
{
    public static JobSpec Promote(AppRecord? record, PromoteRequest request)
    {
        if (record?.Canary is not { } canary) throw new RollbackRefused($"no canary of {request.App} serves on this server: there is nothing to promote");
        var plan = PlanOf(canary.Deployment);
        plan.Release = null; // it ran before the canary took its first client
        if (request.DrainMilliseconds > 0) plan.DrainMilliseconds = request.DrainMilliseconds;
        return new JobSpec(Operation.Promote, plan, JobSpec.NewDeployId(plan.Version), request.Hooks ?? new HooksPlan(), canary.Deployment);
    }

    /// <param name="reason">What removed it, for the ledger: who ran `podlift rollback`, or the hold's figures.</param>
    public static JobSpec Remove(AppRecord record, RollbackRequest request, string reason)
    {
        var canary = record.Canary ?? throw new ArgumentException("the record has no canary", nameof(record));
        var current = record.Current ?? throw new RollbackRefused($"{record.App} has a canary but no current deployment on this server; deploy it again");
        if (request.To.Length > 0 && !Versions.Match(current.Version, request.To))
            throw new RollbackRefused(
                $"a canary of {canary.Deployment.Version} serves beside {current.Version}: `podlift rollback` without --to removes it (every client back on {current.Version}); roll back further after that");
        var plan = PlanOf(current);
        if (request.DrainMilliseconds > 0) plan.DrainMilliseconds = request.DrainMilliseconds;
        return new JobSpec(Operation.Abort, plan, JobSpec.NewDeployId(canary.Deployment.Version), new HooksPlan(), current) { Reason = reason };
    }

    /// <summary>
    /// The hold of a recorded canary that has no verdict yet, taken up again after the agent restarted (it was watching it, or
    /// was down when the hold ended); null when no canary is held. The job counts what nginx logged since the hold began.
    /// </summary>
    public static JobSpec? ResumeHold(AppRecord? record, DateTimeOffset now)
    {
        if (record?.Canary is not { HoldUntil: not null } canary || canary.Deployment.PlanJson is not { Length: > 0 } json) return null;
        var plan = JsonParser.Default.Parse<DeployPlan>(json);
        if (plan.Canary is not { HoldMilliseconds: > 0 }) return null;
        plan.DryRun = false;
        return new JobSpec(Operation.Deploy, plan, JobSpec.NewDeployId(plan.Version), plan.Hooks ?? new HooksPlan(), null) { ResumesHold = true };
    }

    /// <summary>A deployment's plan as it ran, for one more job: no canary, verification, dry run or atomic rollout of its own.</summary>
    private static DeployPlan PlanOf(DeploymentRecord deployment)
    {
        if (deployment.PlanJson is not { Length: > 0 } json)
            throw new RollbackRefused($"no deploy plan is recorded for {deployment.Version} on this server; deploy that commit again instead");
        var plan = JsonParser.Default.Parse<DeployPlan>(json);
        (plan.Canary, plan.Verify, plan.DryRun, plan.Atomic) = (null, null, false, false);
        return plan;
    }
}

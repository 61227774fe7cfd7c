using Podlift.Agent.Docker;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Plans;

/// <summary>How a job's end is recorded in state.json. Pure: from the job's context and the containers as Docker lists them now.</summary>
public static class JobRecords
{
    public static AppRecord Succeeded(ExecutionContext context, IReadOnlyList<AppContainer> containers) =>
        Transition(context, Deployment(context, containers), History(context, "succeeded", null));

    /// <summary>Traffic had moved when a later action failed: that truth is recorded, with what failed.</summary>
    public static AppRecord SucceededWithErrors(ExecutionContext context, IReadOnlyList<AppContainer> containers, string error) =>
        Transition(context, Deployment(context, containers), History(context, "succeeded-with-errors", error));

    public static AppRecord Failed(ExecutionContext context, string error) =>
        Before(context).WithFailure(History(context, "failed", error));

    private static AppRecord Before(ExecutionContext context) => context.Snapshot.Record ?? new AppRecord { App = context.Request.App };

    /// <summary>A canary serves beside the current deployment, until it is promoted or removed.</summary>
    /// <param name="holdLogFrom">Where nginx's request log stands as the hold begins.</param>
    public static AppRecord Canary(ExecutionContext context, IReadOnlyList<AppContainer> containers, RecordCanary canary, long? holdLogFrom) =>
        Before(context).WithCanary(
            new CanaryRecord(Deployment(context, containers), canary.Share, canary.Hold > TimeSpan.Zero ? context.Snapshot.Now + context.Elapsed + canary.Hold : null,
                holdLogFrom),
            History(context, "canary", null));

    private static AppRecord Transition(ExecutionContext context, DeploymentRecord deployed, HistoryEntry entry) => context.Job.Operation switch
    {
        Operation.Rollback => Before(context).WithRollback(deployed, entry),
        Operation.Promote => Before(context).WithPromotion(deployed, entry),
        Operation.Abort => Before(context).WithCanaryRemoved(context.Job.Reason, entry),
        _ => Before(context).WithSuccess(deployed, entry),
    };

    /// <summary>The deployment the job brought up, its containers under the names they carry now.</summary>
    private static DeploymentRecord Deployment(ExecutionContext context, IReadOnlyList<AppContainer> containers)
    {
        var started = context.Started.Values.ToHashSet();
        var target = context.Job.RollbackTarget;
        return new DeploymentRecord
        {
            Version = context.Request.Version,
            Image = context.Request.Image,
            DeployId = target?.DeployId ?? context.Job.DeployId,
            DeployedAt = target?.DeployedAt ?? context.StartedAt,
            DeployedBy = context.Request.DeployedBy,
            Containers = containers.Where(c => started.Contains(c.Id))
                .OrderBy(c => c.Service, StringComparer.Ordinal).ThenBy(c => c.Replica)
                .Select(c => new ContainerRecord(c.Name, c.Id, c.Service, c.Replica, c.HostPort)).ToList(),
        }.WithPlan(context.Request);
    }

    private static HistoryEntry History(ExecutionContext context, string outcome, string? error) =>
        new(context.Job.DeployId, context.Request.Version, context.StartedAt, (long)context.Elapsed.TotalMilliseconds, outcome,
            context.Request.DeployedBy, context.Request.CommitMessage, error, StateTerms.Word(context.Job.Operation),
            context.Receipt);
}

using Podlift.Protocol;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.State;

namespace Podlift.Agent.Plans.Steps;

/// <summary>state.json: the new deployment (or the rollback) as what runs, with the containers as they are named now.</summary>
public sealed class RecordStep(IContainerRuntime runtime, StateStore state, Proxy.IRequestLogFile log)
{
    public async Task RecordAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        var containers = await runtime.ListAppContainersAsync(context.Request.App, cancellationToken);
        state.Save(JobRecords.Succeeded(context, containers));
        context.Recorded = true;
    }

    public async Task RecordCanaryAsync(RecordCanary canary, ExecutionContext context, CancellationToken cancellationToken)
    {
        var containers = await runtime.ListAppContainersAsync(context.Request.App, cancellationToken);
        // the hold's watch counts from here, and so does one resumed after a restart of the agent
        context.HoldLogFrom = log.Position(context.Request.App);
        state.Save(JobRecords.Canary(context, containers, canary, context.HoldLogFrom));
        context.Recorded = true;
        context.Progress.Success(canary.Hold > TimeSpan.Zero
            ? $"{canary.Version} serves {Shares.Format(canary.Share)} of fresh clients as a canary"
            : $"{canary.Version} serves {Shares.Format(canary.Share)} of fresh clients as a canary; `podlift promote` switches everyone, `podlift rollback` removes it");
    }
}

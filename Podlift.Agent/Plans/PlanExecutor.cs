using System.Diagnostics;
using Podlift.Protocol;

namespace Podlift.Agent.Plans;

/// <summary>
/// Runs a plan's actions in order, reporting each numbered step as it starts and ends. It stops at the
/// first failure and lets it through; what to take back is on the context. Once an action that moves
/// traffic succeeded, the context is committed: from then on nothing may be undone.
/// </summary>
public sealed class PlanExecutor(ActionRunner runner)
{
    /// <summary>Awaited before each action (index, action): tests fail a job there, or hold it forever as a killed agent would.</summary>
    public Func<int, PlanAction, Task>? BeforeAction { get; init; }

    public async Task RunAsync(Plan plan, ExecutionContext context, CancellationToken cancellationToken)
    {
        DeployStep? step = null;
        var clock = Stopwatch.StartNew();
        for (var index = 0; index < plan.Actions.Count; index++)
        {
            var action = plan.Actions[index];
            if (action.Step != step)
            {
                if (step is { } finished) context.Progress.StepFinished(finished, clock.Elapsed);
                step = action.Step;
                clock.Restart();
                context.Progress.StepStarted(action.Step);
            }
            if (BeforeAction is { } before) await before(index, action);
            cancellationToken.ThrowIfCancellationRequested();
            await runner.RunAsync(action, context, cancellationToken);
            if (action.Commits) context.Committed = true;
        }
        if (step is { } last) context.Progress.StepFinished(last, clock.Elapsed);
    }
}

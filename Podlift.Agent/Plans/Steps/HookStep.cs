using Podlift.Agent.Deploy;
using Podlift.Agent.Hooks;

namespace Podlift.Agent.Plans.Steps;

/// <summary>podlift.yml's hooks: a failing before_deploy hook stops the job before anything changed; an after hook only marks it.</summary>
public sealed class HookStep(HookRunner hooks)
{
    public async Task RunAsync(RunHooks action, ExecutionContext context, CancellationToken cancellationToken)
    {
        var environment = HookRunner.Environment(context.Request.App, context.Request.Version, context.Snapshot.CurrentVersion ?? "", context.Job.Operation,
            context.Job.Hooks.Environment);
        var failed = await hooks.RunAsync(action.Commands, environment, context.Progress, cancellationToken);
        if (failed is null) return;
        if (action.FailureStops)
            throw new DeployFailure($"the {action.Name} hook `{failed.Command}` failed (exit {failed.ExitCode}); nothing was changed");
        context.FailedAfterHook = failed;
    }
}

using Podlift.Agent.Deploy;

namespace Podlift.Agent.Plans.Steps;

/// <summary>The release command (migrations): once, in a one-off container, after the health checks and before any traffic moves.</summary>
public sealed class ReleaseStep(ReleaseRunner release)
{
    public async Task RunAsync(RunRelease action, ExecutionContext context, CancellationToken cancellationToken)
    {
        var spec = ContainerSpecs.ForRelease(context.Request, action.Service, context.Job.DeployId, context.PrimaryAddress, context.Snapshot.DependencyAddresses);
        var timeout = action.Release.TimeoutMilliseconds > 0 ? TimeSpan.FromMilliseconds(action.Release.TimeoutMilliseconds) : ReleaseRunner.DefaultTimeout;
        context.Progress.Info($"Running the release command in a {action.Service.Name} container of {action.Version}...");
        var ran = await release.RunAsync(spec, timeout, cancellationToken);
        context.Progress.HookRan(ran);
        if (!ran.Passed)
            throw new DeployFailure($"the release command `{string.Join(' ', action.Release.Command)}` failed (exit {ran.ExitCode}); nothing was switched",
                "The new containers are removed.");
    }
}

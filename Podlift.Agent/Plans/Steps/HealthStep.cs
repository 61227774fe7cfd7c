using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Health;

namespace Podlift.Agent.Plans.Steps;

/// <summary>A started container's check: passed, or the deploy fails with the container's last log lines.</summary>
public sealed class HealthStep(IHealthChecker health, IContainerRuntime runtime)
{
    private const int LogTailLines = 20;

    public async Task CheckAsync(CheckHealth action, ExecutionContext context, CancellationToken cancellationToken)
    {
        var container = action.Name; // Docker knows it by its name too; nothing renames it before the switch
        var result = await health.CheckAsync(container, context.Request.Image, action.Service, action.HostPort, cancellationToken);
        if (result.Healthy)
        {
            context.Progress.HealthChecked(action.Name, true, result.Elapsed);
            return;
        }
        var log = await runtime.TailLogAsync(container, LogTailLines, CancellationToken.None);
        context.Progress.HealthChecked(action.Name, false, result.Elapsed, result.Reason, log);
        throw new DeployFailure($"{action.Name} failed its health check: {result.Reason}", "Container started but failed health checks.");
    }
}

using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Health;

/// <summary>Whether a started container is ready for traffic: what a plan's health check asks.</summary>
public interface IHealthChecker
{
    /// <param name="container">The container's name or id.</param>
    Task<HealthResult> CheckAsync(string container, string image, ServicePlan service, int hostPort, CancellationToken cancellationToken);
}

/// <summary>
/// The service's HTTP check on the container's published port; or, for a service without one whose image has a
/// HEALTHCHECK, Docker's verdict; or, for a worker, that it is still running a moment after it started.
/// </summary>
public sealed class HealthChecker(IContainerRuntime runtime, HttpHealthProbe probe) : IHealthChecker
{
    private static readonly TimeSpan WorkerSettleTime = TimeSpan.FromSeconds(1);

    public async Task<HealthResult> CheckAsync(string container, string image, ServicePlan service, int hostPort, CancellationToken cancellationToken)
    {
        if (service.ImageHealthcheck && (await runtime.InspectImageAsync(image, cancellationToken))?.Healthcheck is { } imageCheck)
            return await probe.WaitDockerHealthyAsync(container, imageCheck, service.Healthcheck, cancellationToken);
        if (service.Healthcheck is { } check && hostPort > 0)
            return await probe.WaitHealthyAsync(container, Deploy.ContainerSpecs.LoopbackAddress, hostPort, HealthCheckSettings.From(check), cancellationToken);

        await Task.Delay(WorkerSettleTime, cancellationToken);
        var status = await runtime.StatusAsync(container, cancellationToken);
        return new HealthResult(status.Running, WorkerSettleTime, status.Running ? "" : $"the container exited with code {status.ExitCode}");
    }
}

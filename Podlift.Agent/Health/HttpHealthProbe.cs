using System.Diagnostics;
using Podlift.Agent.Docker;

namespace Podlift.Agent.Health;

public sealed record HealthResult(bool Healthy, TimeSpan Elapsed, string Reason);

/// <summary>Waits for a new container to answer its health check, following <see cref="HealthCheckTracker"/>.</summary>
public sealed class HttpHealthProbe(IContainerRuntime runtime, HttpClient http)
{
    /// <summary>The agent's one client for health checks (the deploy's and State's): a redirect is the answer, not followed.</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.Zero, // every probe on a fresh connection, as a new client would
        AllowAutoRedirect = false,
        UseProxy = false,
    });

    public async Task<HealthResult> WaitHealthyAsync(string containerId, string address, int hostPort, HealthCheckSettings settings, CancellationToken cancellationToken)
    {
        var tracker = new HealthCheckTracker(settings);
        var clock = Stopwatch.StartNew();
        var url = new Uri($"http://{address}:{hostPort}{settings.Check.Path}");
        while (true)
        {
            var outcome = await ProbeAsync(containerId, url, tracker.ProbeTimeout(clock.Elapsed), cancellationToken);
            switch (tracker.Record(outcome, clock.Elapsed))
            {
                case HealthDecision.Healthy:
                    return new HealthResult(true, clock.Elapsed, "");
                case HealthDecision.Unhealthy unhealthy:
                    return new HealthResult(false, clock.Elapsed, unhealthy.Reason);
                case HealthDecision.ProbeAgainAfter again:
                    await Task.Delay(again.Delay, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>For an image with its own HEALTHCHECK: waits for Docker to call the container healthy.</summary>
    public async Task<HealthResult> WaitDockerHealthyAsync(string containerId, ImageHealthcheck check, Podlift.Protocol.HealthCheckPlan? plan, CancellationToken cancellationToken)
    {
        var configured = plan?.TimeoutMilliseconds > 0 ? TimeSpan.FromMilliseconds(plan.TimeoutMilliseconds) : Podlift.Protocol.PlanDefaults.HealthTimeout;
        var needed = check.StartPeriod + check.Interval * (check.Retries + 1);
        var bound = needed > configured ? needed : configured;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await runtime.StatusAsync(containerId, cancellationToken);
            if (!status.Running && status.State is "exited" or "dead")
                return new HealthResult(false, clock.Elapsed, $"the container exited with code {status.ExitCode}");
            if (status.Health == "healthy") return new HealthResult(true, clock.Elapsed, "");
            if (status.Health == "unhealthy") return new HealthResult(false, clock.Elapsed, "the image's HEALTHCHECK reports unhealthy");
            if (clock.Elapsed > bound)
                return new HealthResult(false, clock.Elapsed, $"the image's HEALTHCHECK did not report healthy within {bound.TotalSeconds:0}s");
            await Task.Delay(250, cancellationToken);
        }
    }

    private async Task<ProbeOutcome> ProbeAsync(string containerId, Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var status = await runtime.StatusAsync(containerId, cancellationToken);
        if (!status.Running && status.State is "exited" or "dead") return new ProbeOutcome.ContainerExited(status.ExitCode);

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            return new ProbeOutcome.Answered((int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeOutcome.NoAnswer($"no answer within {timeout.TotalSeconds:0.#}s");
        }
        catch (HttpRequestException e)
        {
            return new ProbeOutcome.NoAnswer(e.InnerException?.Message ?? e.Message);
        }
    }
}

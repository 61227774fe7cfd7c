using Podlift.Agent.Docker;
using Polly;
using Polly.Retry;

namespace Podlift.Agent.Hosting;

/// <summary>At boot the agent may start before dockerd answers: wait for it (bounded) before reconciling.</summary>
public static class DockerReadiness
{
    private static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
            MaxRetryAttempts = 30,
            Delay = TimeSpan.FromSeconds(1),
            BackoffType = DelayBackoffType.Constant,
        })
        .Build();

    public static async Task WaitAsync(DockerEngine docker, Serilog.ILogger log)
    {
        try
        {
            await Pipeline.ExecuteAsync(async token => await docker.VersionAsync(token));
        }
        catch (Exception e)
        {
            log.Warning("Docker does not answer ({Reason}); starting anyway, deploys will fail until it does", e.Message);
        }
    }
}

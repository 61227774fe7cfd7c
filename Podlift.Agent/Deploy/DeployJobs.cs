using System.Collections.Concurrent;
using Podlift.Agent.Docker;
using Podlift.Agent.Health;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>A deploy is refused while another one of the same app runs.</summary>
public sealed class AppLockedException(RunningJob holder) : Exception(
    $"a deploy of {holder.Plan.App} is already running: {holder.Plan.Version} by {holder.Plan.DeployedBy}, " +
    $"since {holder.StartedAt:HH:mm:ss} UTC, now at {holder.Events.CurrentStep} (deploy id {holder.Events.DeployId})")
{
    public RunningJob Holder { get; } = holder;
}

public sealed record RunningJob(DeployPlan Plan, JobEvents Events, DateTimeOffset StartedAt)
{
    public Task Completion { get; set; } = Task.CompletedTask;
}

/// <summary>
/// Runs deploys as jobs owned by the agent, one per app at a time. The lock belongs to the job, not to
/// the client: it is released when the job ends, whatever happens to the connection that asked for it.
/// </summary>
public sealed class DeployJobs(
    IContainerRuntime runtime, IReverseProxy proxy, HttpHealthProbe health, StateStore state,
    IHostApplicationLifetime lifetime, ILogger<DeployJobs> log)
{
    private readonly ConcurrentDictionary<string, RunningJob> _running = new();

    /// <summary>The deploys running right now, oldest first.</summary>
    public IReadOnlyList<RunningJob> Running => _running.Values.OrderBy(job => job.StartedAt).ToList();

    public RunningJob Start(DeployPlan plan)
    {
        var deployId = $"{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}-{plan.Version}";
        var events = new JobEvents(deployId, Path.Combine(state.JournalDirectory(plan.App), deployId + ".jsonl"));
        var job = new RunningJob(plan, events, DateTimeOffset.UtcNow);
        if (!_running.TryAdd(plan.App, job))
        {
            events.Dispose();
            throw new AppLockedException(_running[plan.App]);
        }

        log.LogInformation("Deploy {DeployId} of {App} {Version} by {DeployedBy} started", deployId, plan.App, plan.Version, plan.DeployedBy);
        var deploy = new DeployJob(plan, deployId, runtime, proxy, health, state, new DeployProgress(events));
        job.Completion = Task.Run(async () =>
        {
            try
            {
                await deploy.RunAsync(lifetime.ApplicationStopping);
            }
            catch (Exception e)
            {
                log.LogError(e, "Deploy {DeployId} crashed", deployId);
            }
            finally
            {
                events.Complete();
                events.Dispose();
                _running.TryRemove(new KeyValuePair<string, RunningJob>(plan.App, job));
                log.LogInformation("Deploy {DeployId} ended", deployId);
            }
        });
        return job;
    }
}

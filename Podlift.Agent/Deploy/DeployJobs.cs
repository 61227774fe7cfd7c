using System.Collections.Concurrent;
using Google.Protobuf;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>A deploy, rollback or promotion is refused while another job of the same app runs.</summary>
public sealed class AppLockedException(RunningJob holder) : Exception(
    $"a {StateTerms.Word(holder.Spec.Operation)} of {holder.Spec.Plan.App} is already running: {holder.Spec.Plan.Version} by {holder.Spec.Plan.DeployedBy}, " +
    $"since {holder.StartedAt:HH:mm:ss} UTC, now at {StepName(holder.Events.CurrentStep)} (deploy id {holder.Events.DeployId})")
{
    private static string StepName(DeployStep step) => step switch
    {
        DeployStep.Start => "starting containers",
        DeployStep.Switch => "switching nginx",
        DeployStep.Cleanup => "draining and cleanup",
        DeployStep.BeforeHooks => "before_deploy hooks",
        DeployStep.AfterHooks => "after hooks",
        DeployStep.Release => "the release command",
        DeployStep.Verify => "verifying the new version",
        DeployStep.Canary => "the canary",
        _ => "its start",
    };
}

public sealed record RunningJob(JobSpec Spec, JobEvents Events, DateTimeOffset StartedAt)
{
    public Task Completion { get; set; } = Task.CompletedTask;
}

/// <summary>
/// Runs deploys and rollbacks as jobs owned by the agent, one per app at a time. The lock belongs to the
/// job, not to the client: it is released when the job ends, whatever happens to the connection that asked.
/// </summary>
public sealed class DeployJobs(DeployTools tools, IHostApplicationLifetime lifetime, ILogger<DeployJobs> log)
{
    private readonly ConcurrentDictionary<string, RunningJob> _running = new();
    private readonly ConcurrentDictionary<string, RunningJob> _last = new();

    /// <summary>The deploys running right now, oldest first.</summary>
    public IReadOnlyList<RunningJob> Running => _running.Values.OrderBy(job => job.StartedAt).ToList();

    public RunningJob StartDeploy(DeployPlan plan) =>
        Start(new JobSpec(Operation.Deploy, plan, JobSpec.NewDeployId(plan.Version), plan.Hooks ?? new HooksPlan(), null));

    public async Task<RunningJob> StartRollbackAsync(RollbackRequest request, CancellationToken cancellationToken)
    {
        if (_running.TryGetValue(request.App, out var holder)) throw new AppLockedException(holder);
        return Start(await RollbackJobAsync(request, cancellationToken));
    }

    /// <summary>While a canary serves, a rollback removes it; else it returns to an earlier version.</summary>
    private async Task<JobSpec> RollbackJobAsync(RollbackRequest request, CancellationToken cancellationToken)
    {
        var record = tools.State.Load(request.App);
        return record?.Canary is not null
            ? CanaryJobs.Remove(record, request, $"removed by `podlift rollback`{(request.RequestedBy.Length > 0 ? $" ({request.RequestedBy})" : "")}")
            : await RollbackPlanner.JobAsync(tools, request, cancellationToken);
    }

    public RunningJob StartPromote(PromoteRequest request)
    {
        if (_running.TryGetValue(request.App, out var holder)) throw new AppLockedException(holder);
        return Start(CanaryJobs.Promote(tools.State.Load(request.App), request));
    }

    /// <summary>
    /// At start-up, after reconciling: every canary whose hold has no verdict yet (the agent was watching it, or was down when it
    /// ended) is watched again as a job of its own, which `podlift attach` follows. A canary it cannot take up serves on as it is.
    /// </summary>
    public void ResumeHolds()
    {
        foreach (var app in tools.State.Apps())
        {
            try
            {
                if (CanaryJobs.ResumeHold(tools.State.Load(app), DateTimeOffset.UtcNow) is not { } resumed) continue;
                log.LogWarning("The hold of the canary {Version} of {App} was cut short by a restart; it is watched again ({DeployId})", resumed.Plan.Version, app, resumed.DeployId);
                Start(resumed);
            }
            catch (Exception e)
            {
                log.LogError(e, "The hold of {App}'s canary could not be taken up again; the canary serves on, waiting for promote or rollback", app);
            }
        }
    }

    /// <summary>--dry-run of a promotion.</summary>
    public Task<IReadOnlyList<DeployEvent>> PreviewPromoteAsync(PromoteRequest request, CancellationToken cancellationToken) =>
        PreviewAsync(CanaryJobs.Promote(tools.State.Load(request.App), request), cancellationToken);

    /// <summary>--dry-run: the plan a deploy would run here (the image counted as sent), and whether the planner refuses it. Changes nothing.</summary>
    public Task<IReadOnlyList<DeployEvent>> PreviewDeployAsync(DeployPlan plan, CancellationToken cancellationToken) =>
        PreviewAsync(new JobSpec(Operation.Deploy, plan, JobSpec.NewDeployId(plan.Version), plan.Hooks ?? new HooksPlan(), null), cancellationToken);

    /// <summary>--dry-run of a rollback; a target that cannot be returned to is refused as the real rollback would be.</summary>
    public async Task<IReadOnlyList<DeployEvent>> PreviewRollbackAsync(RollbackRequest request, CancellationToken cancellationToken) =>
        await PreviewAsync(await RollbackJobAsync(request, cancellationToken), cancellationToken);

    private async Task<IReadOnlyList<DeployEvent>> PreviewAsync(JobSpec job, CancellationToken cancellationToken)
    {
        var (snapshot, _) = await tools.Snapshots.ReadAsync(job.Plan, containers => Plans.JobPlanner.PortsNeeded(job, containers), reserve: false, cancellationToken);
        var finished = new DeployFinished { Success = true, Version = job.Plan.Version, PreviousVersion = snapshot.CurrentVersion ?? "" };
        var events = new List<DeployEvent>();
        try
        {
            events.Add(new DeployEvent { DeployId = job.DeployId, Operation = job.Operation, Plan = Plans.JobPlanner.For(job, snapshot, imageArrives: true).Preview() });
        }
        catch (Plans.PlanRefused refused)
        {
            (finished.Success, finished.Error) = (false, refused.Fix is null ? refused.Message : $"{refused.Message}; {refused.Fix}");
        }
        events.Add(new DeployEvent { DeployId = job.DeployId, Operation = job.Operation, Finished = finished });
        return events;
    }

    /// <summary>The events of the app's running job, or of the given or last job from its journal.</summary>
    public IAsyncEnumerable<DeployEvent> Attach(string app, string deployId, CancellationToken cancellationToken)
    {
        if (_running.TryGetValue(app, out var running) && (deployId.Length == 0 || running.Events.DeployId == deployId))
            return running.Events.ReadAllAsync(cancellationToken);
        var path = deployId.Length > 0 ? tools.State.JournalPath(app, deployId) : tools.State.LatestJournal(app);
        if (path is null || !File.Exists(path)) throw new FileNotFoundException($"no deploy of {app}{(deployId.Length > 0 ? $" with id {deployId}" : "")} is recorded on this server");
        return ReadJournal(path);
    }

    private RunningJob Start(JobSpec spec)
    {
        var app = spec.Plan.App;
        var journal = tools.State.JournalPath(app, spec.DeployId);
        var events = new JobEvents(spec.DeployId, spec.Operation, journal);
        var job = new RunningJob(spec, events, DateTimeOffset.UtcNow);
        if (!_running.TryAdd(app, job))
        {
            Abandon(events, journal);
            throw new AppLockedException(_running[app]);
        }
        try
        {
            WritePlan(app, spec.DeployId, spec.Plan);
        }
        catch
        {
            // a job that cannot keep its plan (a full disk) does not start, and holds nothing
            _running.TryRemove(new KeyValuePair<string, RunningJob>(app, job));
            Abandon(events, journal);
            throw;
        }

        log.LogInformation("{Operation} {DeployId} of {App} {Version} by {DeployedBy} started", spec.Operation, spec.DeployId, app, spec.Plan.Version, spec.Plan.DeployedBy);
        job.Completion = Task.Run(() => RunAsync(job));
        return job;
    }

    /// <summary>The job on its own: whatever it does, its events end, and the app's lock is released.</summary>
    private async Task RunAsync(RunningJob job)
    {
        var (spec, events) = (job.Spec, job.Events);
        try
        {
            await new DeployJob(spec, tools, new DeployProgress(events)).RunAsync(lifetime.ApplicationStopping);
        }
        catch (Exception e)
        {
            log.LogError(e, "{DeployId} crashed", spec.DeployId);
        }
        finally
        {
            events.Complete();
            events.Dispose();
            if (events.JournalError is { } journalError)
                log.LogError("The journal of {DeployId} lacks events: {Error}", spec.DeployId, journalError);
            await PruneJournalsAsync(spec.Plan.App);
            _last[spec.Plan.App] = job;
            _running.TryRemove(new KeyValuePair<string, RunningJob>(spec.Plan.App, job));
            log.LogInformation("{DeployId} ended", spec.DeployId);
        }
    }

    /// <summary>
    /// While the ended job still holds the app (its client has its end already): the journals and plans the app no longer
    /// needs go (<see cref="JournalRetention"/>). A Docker slow to list the containers holds the app's lock 10 s at most.
    /// </summary>
    private async Task PruneJournalsAsync(string app)
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var containers = await tools.Runtime.ListAppContainersAsync(app, deadline.Token);
            foreach (var deployId in JournalRetention.SelectForRemoval(tools.State.JournalIds(app), tools.State.Load(app), containers.Select(c => c.DeployId)))
                tools.State.RemoveJournal(app, deployId);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "The old journals of {App} could not be removed; they are tried again after its next job", app);
        }
    }

    private static void Abandon(JobEvents events, string journal)
    {
        events.Dispose();
        File.Delete(journal);
    }

    /// <summary>The plan beside the journal lets a restarted agent finish what a killed one began. It holds env values: 0600.</summary>
    private void WritePlan(string app, string deployId, DeployPlan plan) =>
        AtomicFile.Write(tools.State.PlanPath(app, deployId), JsonFormatter.Default.Format(plan));

    private IAsyncEnumerable<DeployEvent> ReadJournal(string path) => Journal.Read(path, log).ToAsyncEnumerable();
}

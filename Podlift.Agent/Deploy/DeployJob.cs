using Podlift.Agent.Docker;
using Podlift.Agent.Plans;
using Podlift.Agent.Plans.Steps;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>A deploy that cannot go on; nothing was switched when it is thrown before the proxy step.</summary>
public sealed class DeployFailure(string message, string? detail = null) : Exception(message)
{
    public string? Detail { get; } = detail;
}

/// <summary>The parts a job works with, wired once by the host.</summary>
public sealed record DeployTools(
    IContainerRuntime Runtime, IReverseProxy Proxy, StateStore State, UpstreamRegistry Upstreams, NginxSiteFactory Sites,
    SnapshotReader Snapshots, PlanExecutor Executor);

/// <summary>How a job ended, as its Finished event says.</summary>
public sealed record JobEnd(bool Success, string Version, string PreviousVersion, TimeSpan Elapsed, string Error = "", TrafficReceipt? Receipt = null)
{
    public VerifyResult? Verified { get; init; }
    public string RevertedTo { get; init; } = "";
    public CanaryOutcome? Canary { get; init; }
}

/// <summary>
/// One job, from start to end: read the server, plan (<see cref="JobPlanner"/>), run the plan, and settle how it
/// ended. A failure before traffic moved takes back what the job did, newest first, and leaves the old version
/// serving; one after it records that the new version serves, whatever failed afterwards. A new version that
/// fails its verification is reverted: the job goes on as the rollback to the version before.
/// </summary>
public sealed class DeployJob(JobSpec job, DeployTools tools, DeployProgress progress)
{
    public async Task RunAsync(CancellationToken cancellationToken) => progress.Finished(await ExecuteAsync(cancellationToken));

    /// <summary>Runs the job and settles it, all but its Finished event.</summary>
    private async Task<JobEnd> ExecuteAsync(CancellationToken cancellationToken)
    {
        var (snapshot, lease, unreadable) = await ReadServerAsync(cancellationToken);
        if (snapshot is null) return new JobEnd(false, job.Plan.Version, "", TimeSpan.Zero, $"nothing was changed: {unreadable}");
        using var _ = lease;
        var context = new Plans.ExecutionContext(job, snapshot, progress) { Ports = lease };
        // a resumed hold's split has served since before the restart: traffic had moved
        if (job.ResumesHold) (context.Committed, context.Recorded, context.HoldLogFrom) = (true, true, snapshot.Record?.Canary?.HoldLogFrom);
        try
        {
            var plan = job.ResumesHold ? JobPlanner.ResumedHold(job, snapshot) : JobPlanner.For(job, snapshot);
            progress.Plan(plan.Preview());
            await tools.Executor.RunAsync(plan, context, cancellationToken);
            if (job.Plan.Canary is { } canary)
                return context.CanaryPassed ? await PromoteCanaryAsync(context, canary, cancellationToken) : CanaryServing(context, canary);
            // a removed canary's job goes from the canary to the version that stayed current
            var previous = job.Operation == Operation.Abort ? snapshot.Record?.Canary?.Deployment.Version : snapshot.CurrentVersion;
            return new JobEnd(context.FailedAfterHook is null, job.Plan.Version, previous ?? "", context.Elapsed, AfterHookFailure(context), context.Receipt)
                { Verified = context.Verified };
        }
        catch (VerificationFailed e) when (context.Committed)
        {
            return await RevertAsync(context, e, cancellationToken);
        }
        catch (CanaryDegraded e) when (context.Committed)
        {
            return await RemoveCanaryAsync(context, job.Plan.Canary!, e, cancellationToken);
        }
        catch (Exception e) when (!context.Committed)
        {
            return await FailBeforeTrafficMovedAsync(context, e);
        }
        catch (Exception e)
        {
            return await FailAfterTrafficMovedAsync(context, e);
        }
    }

    /// <summary>The snapshot the plan is made from; none (the job ends, nothing touched) when the server cannot be read, and why.</summary>
    private async Task<(ServerSnapshot? Snapshot, PortReservations.Lease? Ports, string Error)> ReadServerAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (snapshot, ports) = await tools.Snapshots.ReadAsync(job.Plan, containers => job.ResumesHold ? 0 : JobPlanner.PortsNeeded(job, containers),
                reserve: true, cancellationToken);
            return (snapshot, ports, "");
        }
        catch (Exception e)
        {
            var (message, detail) = JobFailures.Describe(e);
            if (detail is not null) progress.Error(detail);
            return (null, null, message);
        }
    }

    /// <summary>
    /// The new version served and failed its verification: back to the version before, whose containers are still
    /// there, by the rollback's own plan; the deploy is recorded as reverted, with why.
    /// </summary>
    private async Task<JobEnd> RevertAsync(Plans.ExecutionContext deployed, VerificationFailed failure, CancellationToken cancellationToken)
    {
        var reason = $"verification failed: {failure.Message}";
        var verified = deployed.Verified;
        if (deployed.Snapshot.CurrentVersion is not { } previous)
            return await FailAfterTrafficMovedAsync(deployed, new DeployFailure($"{reason}; there is no version before it to return to")) with { Verified = verified };

        // a warning, not an error: the CLI prints it as it happens (errors wait for the end), before the rollback's steps
        progress.Warning($"Verification failed: {failure.Message}; rolling back to {previous}");
        progress.Reverting();
        JobEnd rolledBack;
        try
        {
            var revert = await RollbackPlanner.JobAsync(tools, new RollbackRequest
            {
                App = job.Plan.App, To = previous, DrainMilliseconds = job.Plan.DrainMilliseconds, RequestedBy = $"podlift (verify: of {job.Plan.Version})",
            }, cancellationToken);
            rolledBack = await new DeployJob(revert, tools, progress).ExecuteAsync(cancellationToken);
        }
        catch (Exception e) when (e is RollbackRefused or DeployFailure)
        {
            rolledBack = new JobEnd(false, previous, job.Plan.Version, TimeSpan.Zero, e.Message);
        }
        if (!rolledBack.Success)
            return new JobEnd(false, job.Plan.Version, previous, deployed.Elapsed,
                $"{job.Plan.Version} is serving: {reason}, and the rollback to {previous} failed: {rolledBack.Error}", deployed.Receipt) { Verified = verified };
        SaveQuietly(tools.State.Load(job.Plan.App)?.WithOutcome(job.DeployId, "reverted", reason));
        return new JobEnd(false, job.Plan.Version, previous, deployed.Elapsed, $"{reason}; {previous} serves again", deployed.Receipt)
            { Verified = verified, RevertedTo = previous };
    }

    /// <summary>The canary serves on, waiting for promote or rollback; a hold that ended without a verdict is over, and a restart does not take it up.</summary>
    private JobEnd CanaryServing(Plans.ExecutionContext context, CanaryPlan canary)
    {
        if (canary.HoldMilliseconds > 0 && tools.State.Load(job.Plan.App) is { Canary: { } held } record)
            SaveQuietly(record with { Canary = held.HoldEnded() });
        return new(true, job.Plan.Version, context.Snapshot.CurrentVersion ?? "", context.Elapsed) { Verified = context.Verified, Canary = Outcome(context, canary, CanaryStatus.Serving) };
    }

    private static CanaryOutcome Outcome(Plans.ExecutionContext context, CanaryPlan canary, CanaryStatus status) => new()
    {
        Version = context.Request.Version, Share = canary.Share, Status = status, Watched = context.Verified, StandsBeside = context.Snapshot.CurrentVersion ?? "",
    };

    /// <summary>The canary passed its hold: the job goes on as its promotion, by the promotion's own plan.</summary>
    private async Task<JobEnd> PromoteCanaryAsync(Plans.ExecutionContext held, CanaryPlan canary, CancellationToken cancellationToken)
    {
        progress.TurningInto(Operation.Promote);
        var promoted = await FollowWithAsync(() => CanaryJobs.Promote(tools.State.Load(job.Plan.App), new PromoteRequest
        {
            App = job.Plan.App, RequestedBy = $"podlift (--canary-hold of {job.Plan.Version})", Hooks = job.Hooks, DrainMilliseconds = job.Plan.DrainMilliseconds,
        }), cancellationToken);
        var outcome = Outcome(held, canary, promoted.Success ? CanaryStatus.Promoted : CanaryStatus.Serving);
        return promoted.Success
            ? promoted with { PreviousVersion = held.Snapshot.CurrentVersion ?? "", Elapsed = held.Elapsed, Verified = held.Verified, Canary = outcome }
            : new JobEnd(false, job.Plan.Version, held.Snapshot.CurrentVersion ?? "", held.Elapsed,
                $"the canary {job.Plan.Version} passed its hold, but promoting it failed: {promoted.Error}", promoted.Receipt) { Verified = held.Verified, Canary = outcome };
    }

    /// <summary>The canary failed its hold: it is removed, its containers drained first, and the deploy says why.</summary>
    private async Task<JobEnd> RemoveCanaryAsync(Plans.ExecutionContext held, CanaryPlan canary, CanaryDegraded failure, CancellationToken cancellationToken)
    {
        var reason = $"the canary failed its hold: {failure.Message}";
        progress.Warning($"Canary: {failure.Message}; removing it");
        progress.TurningInto(Operation.Abort);
        var removed = await FollowWithAsync(() => CanaryJobs.Remove(tools.State.Load(job.Plan.App)!, new RollbackRequest { App = job.Plan.App, DrainMilliseconds = job.Plan.DrainMilliseconds }, reason),
            cancellationToken);
        var current = held.Snapshot.CurrentVersion ?? "";
        return new JobEnd(false, job.Plan.Version, current, held.Elapsed,
            removed.Success ? $"{reason}; every client is on {current} again" : $"{reason}, and removing it failed: {removed.Error}", removed.Receipt)
            { Verified = held.Verified, Canary = Outcome(held, canary, removed.Success ? CanaryStatus.Aborted : CanaryStatus.Serving) };
    }

    /// <summary>Runs the job <paramref name="next"/> gives in this one's place (a refusal ends it, nothing touched).</summary>
    private async Task<JobEnd> FollowWithAsync(Func<JobSpec> next, CancellationToken cancellationToken)
    {
        try
        {
            return await new DeployJob(next(), tools, progress).ExecuteAsync(cancellationToken);
        }
        catch (RollbackRefused e)
        {
            return new JobEnd(false, job.Plan.Version, "", TimeSpan.Zero, e.Message);
        }
    }

    private string AfterHookFailure(Plans.ExecutionContext context) => context.FailedAfterHook is { } hook
        ? $"{job.Plan.Version} is live, but the {(job.Operation == Operation.Rollback ? "after_rollback" : "after_deploy")} hook `{hook.Command}` failed (exit {hook.ExitCode})"
        : "";

    private async Task<JobEnd> FailBeforeTrafficMovedAsync(Plans.ExecutionContext context, Exception failure)
    {
        if (!context.KeepEverything) await context.UndoAllAsync();
        var (message, detail) = JobFailures.Describe(failure);
        var serves = context.KeepEverything ? null : JobFailures.WhatServes(context.Snapshot, job.Plan, tools.Proxy, failure);
        var lines = new[] { detail, serves }.OfType<string>().ToList();
        if (lines.Count > 0) progress.Error(string.Join('\n', lines));
        SaveQuietly(JobRecords.Failed(context, message));
        return new JobEnd(false, job.Plan.Version, context.Snapshot.CurrentVersion ?? "", context.Elapsed, message);
    }

    /// <summary>Traffic is already on the new version: record that truth, whatever failed afterwards.</summary>
    private async Task<JobEnd> FailAfterTrafficMovedAsync(Plans.ExecutionContext context, Exception failure)
    {
        var message = $"{job.Plan.Version} is serving, but finishing failed: {JobFailures.Describe(failure).Message}";
        if (!context.Recorded)
        {
            var containers = await tools.Runtime.ListAppContainersAsync(job.Plan.App, CancellationToken.None);
            SaveQuietly(JobRecords.SucceededWithErrors(context, containers, message));
        }
        return new JobEnd(false, job.Plan.Version, context.Snapshot.CurrentVersion ?? "", context.Elapsed, message, context.Receipt);
    }

    private void SaveQuietly(AppRecord? record)
    {
        if (record is null) return;
        try { tools.State.Save(record); }
        catch (Exception e) { progress.Warning($"could not write state: {e.Message}"); }
    }
}

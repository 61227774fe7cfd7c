using Podlift.Agent.Docker;
using Podlift.Agent.Plans;
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

/// <summary>
/// One job, from start to end: read the server, plan (<see cref="JobPlanner"/>), run the plan, and settle how it
/// ended. A failure before traffic moved takes back what the job did, newest first, and leaves the old version
/// serving; one after it records that the new version serves, whatever failed afterwards.
/// </summary>
public sealed class DeployJob(JobSpec job, DeployTools tools, DeployProgress progress)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (await ReadServerAsync(cancellationToken) is not var (snapshot, ports)) return;
        using var lease = ports;
        var context = new Plans.ExecutionContext(job, snapshot, progress) { Ports = lease };
        try
        {
            var plan = JobPlanner.For(job, snapshot);
            progress.Plan(plan.Preview());
            await tools.Executor.RunAsync(plan, context, cancellationToken);
            progress.Finished(context.FailedAfterHook is null, job.Plan.Version, snapshot.CurrentVersion ?? "", context.Elapsed, AfterHookFailure(context), context.Receipt);
        }
        catch (Exception e) when (!context.Committed)
        {
            await FailBeforeTrafficMovedAsync(context, e);
        }
        catch (Exception e)
        {
            await FailAfterTrafficMovedAsync(context, e);
        }
    }

    /// <summary>The snapshot the plan is made from; null (the job ended, nothing touched) when the server cannot be read.</summary>
    private async Task<(ServerSnapshot, PortReservations.Lease?)?> ReadServerAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await tools.Snapshots.ReadAsync(job.Plan, containers => JobPlanner.PortsNeeded(job, containers), reserve: true, cancellationToken);
        }
        catch (Exception e)
        {
            var (message, detail) = JobFailures.Describe(e);
            if (detail is not null) progress.Error(detail);
            progress.Finished(false, job.Plan.Version, "", TimeSpan.Zero, $"nothing was changed: {message}");
            return null;
        }
    }

    private string AfterHookFailure(Plans.ExecutionContext context) => context.FailedAfterHook is { } hook
        ? $"{job.Plan.Version} is live, but the {(job.Operation == Operation.Rollback ? "after_rollback" : "after_deploy")} hook `{hook.Command}` failed (exit {hook.ExitCode})"
        : "";

    private async Task FailBeforeTrafficMovedAsync(Plans.ExecutionContext context, Exception failure)
    {
        if (!context.KeepEverything) await context.UndoAllAsync();
        var (message, detail) = JobFailures.Describe(failure);
        var serves = context.KeepEverything ? null : JobFailures.WhatServes(context.Snapshot, job.Plan, tools.Proxy, failure);
        var lines = new[] { detail, serves }.OfType<string>().ToList();
        if (lines.Count > 0) progress.Error(string.Join('\n', lines));
        SaveQuietly(JobRecords.Failed(context, message));
        progress.Finished(false, job.Plan.Version, context.Snapshot.CurrentVersion ?? "", context.Elapsed, message);
    }

    /// <summary>Traffic is already on the new version: record that truth, whatever failed afterwards.</summary>
    private async Task FailAfterTrafficMovedAsync(Plans.ExecutionContext context, Exception failure)
    {
        var message = $"{job.Plan.Version} is serving, but finishing failed: {JobFailures.Describe(failure).Message}";
        if (!context.Recorded)
        {
            var containers = await tools.Runtime.ListAppContainersAsync(job.Plan.App, CancellationToken.None);
            SaveQuietly(JobRecords.SucceededWithErrors(context, containers, message));
        }
        progress.Finished(false, job.Plan.Version, context.Snapshot.CurrentVersion ?? "", context.Elapsed, message, context.Receipt);
    }

    private void SaveQuietly(AppRecord record)
    {
        try { tools.State.Save(record); }
        catch (Exception e) { progress.Warning($"could not write state: {e.Message}"); }
    }
}

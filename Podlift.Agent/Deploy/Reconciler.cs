using Podlift.Agent.Docker;
using Podlift.Agent.Plans;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// Runs when the agent starts, before it takes requests: whatever a killed agent left half done is made
/// consistent, app by app. It reads the server, asks <see cref="RecoveryPlanner"/> what to do, runs that
/// plan with the same executor and steps as deploys, then records the outcome, the upstream registry,
/// and the killed job's journal ending.
/// </summary>
public sealed class Reconciler(DeployTools tools, ILogger<Reconciler> log)
{
    public async Task ReconcileAllAsync(CancellationToken cancellationToken)
    {
        var containers = await tools.Runtime.ListAppContainersAsync(null, cancellationToken);
        foreach (var app in containers.Select(c => c.App).Concat(tools.State.Apps()).Distinct().Where(a => a.Length > 0))
        {
            try
            {
                await ReconcileAsync(app, containers.Where(c => c.App == app).ToList(), cancellationToken);
            }
            catch (Exception e)
            {
                log.LogError(e, "Reconciling {App} failed; it is left as it was", app);
            }
        }
    }

    private async Task ReconcileAsync(string app, IReadOnlyList<AppContainer> containers, CancellationToken cancellationToken)
    {
        var (record, _) = tools.State.LoadOrRebuild(app, containers);
        var interrupted = InterruptedJob(app);
        var dependencies = await tools.Runtime.ListDependenciesAsync(app, cancellationToken);
        var routedBackends = tools.Proxy.RoutedBackends(app);
        var splitOnDisk = tools.Upstreams.Canary(app) is not null;
        if (RecoveryPlanner.For(app, record, containers, dependencies, routedBackends, interrupted, DateTimeOffset.UtcNow, splitOnDisk) is not { } plan) return;

        var request = interrupted?.Plan ?? new DeployPlan { App = app };
        var job = new JobSpec(Operation.Deploy, request, interrupted?.DeployId ?? "recovery", new HooksPlan(), null);
        var context = new Plans.ExecutionContext(job, new ServerSnapshot { App = app, Record = record, Containers = containers }, new DeployProgress(new JobEvents(job.DeployId, job.Operation, null)));
        await tools.Executor.RunAsync(new Plan(Operation.Deploy, request, plan.Actions), context, cancellationToken);

        var after = WithCurrentNames(plan.Record, await tools.Runtime.ListAppContainersAsync(app, cancellationToken));
        if (routedBackends is not null && after.Current is { } current)
            tools.Upstreams.Replace(app, Proxy.UpstreamRegistry.Local, current.RoutedContainers().Select(c => ContainerSpecs.LocalUpstream(c.HostPort, c.Name)));
        tools.State.Save(after);
        var summary = plan.Changes.Count > 0 ? string.Join("; ", plan.Changes) : "nothing to change";
        if (interrupted is not null) FinishJournal(interrupted, plan.Live, summary);
        if (plan.Changes.Count > 0 || interrupted is not null)
            log.LogWarning("Reconciled {App} after a restart: {Version} serves; {Summary}", app, plan.Live, summary);
    }

    /// <summary>The record's containers under the names they carry after the renames.</summary>
    private static AppRecord WithCurrentNames(AppRecord record, IReadOnlyList<AppContainer> containers)
    {
        var names = containers.ToDictionary(c => c.Id, c => c.Name);
        return record.Current is not { } current ? record : record with
        {
            Current = current with { Containers = current.Containers.Select(c => c with { Name = names.GetValueOrDefault(c.Id, c.Name) }).ToList() },
        };
    }

    /// <summary>The app's last journal, if it has no ending: its job died with the agent.</summary>
    private InterruptedJob? InterruptedJob(string app)
    {
        if (tools.State.LatestJournal(app) is not { } journal) return null;
        var events = Journal.Read(journal, log);
        if (events.Any(e => e.Finished is not null)) return null;

        var deployId = Path.GetFileNameWithoutExtension(journal);
        var plan = tools.State.LoadPlan(app, deployId);
        var operation = StateTerms.Word(events.FirstOrDefault()?.Operation ?? Operation.Deploy);
        return new InterruptedJob(deployId, journal, plan, operation, events.LastOrDefault()?.Sequence ?? 0);
    }

    private static void FinishJournal(InterruptedJob job, string live, string summary)
    {
        var adopted = job.Plan?.Version == live;
        var ending = new DeployEvent
        {
            Sequence = job.LastSequence + 1,
            UnixMilliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            DeployId = job.DeployId,
            Operation = StateTerms.Operation(job.Operation),
            Finished = new DeployFinished
            {
                Success = adopted,
                Version = job.Plan?.Version ?? "",
                Error = adopted ? "" : $"interrupted: the agent restarted during this job; {live} keeps serving ({summary})",
            },
        };
        Journal.Append(job.JournalPath, ending);
    }
}

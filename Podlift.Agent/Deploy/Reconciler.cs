using Podlift.Agent.Docker;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// Runs when the agent starts, before it takes requests: whatever a killed agent left half done is made
/// consistent. nginx's config on disk says what serves: the running containers on the ports it routes to.
/// Their version becomes current (adopted if state.json lagged), nginx runs that config, and every other
/// running container is drained and stopped (a killed job's unrouted new containers are removed). When
/// the config routes to containers that no longer run, it is rewritten for the recorded version first,
/// so nothing is removed or stopped while nginx still sends traffic to it. The killed job's journal gets
/// its ending, and the live containers their stable names.
/// </summary>
public sealed class Reconciler(DeployTools tools, ILogger<Reconciler> log)
{
    private static readonly TimeSpan DrainBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

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

    /// <summary>The version of the running containers nginx's config routes to here; null when it routes to none (or there is no config).</summary>
    public static string? RoutedVersion(IReadOnlyList<(string Address, int Port)>? routed, IReadOnlyList<AppContainer> containers)
    {
        if (routed is null) return null;
        var ports = routed.Where(b => b.Address == ContainerSpecs.LoopbackAddress).Select(b => b.Port).ToHashSet();
        return containers.Where(c => c.IsRunning && ports.Contains(c.HostPort))
            .GroupBy(c => c.Version).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
    }

    private async Task ReconcileAsync(string app, IReadOnlyList<AppContainer> containers, CancellationToken cancellationToken)
    {
        var (record, _) = tools.State.LoadOrRebuild(app, containers);
        var interrupted = InterruptedJob(app);
        var routedBackends = tools.Proxy.RoutedBackends(app);
        // a primary that only balances other servers' containers routes to none of its own
        var routed = RoutedVersion(routedBackends, containers);
        var live = routed ?? record?.Current?.Version;
        if (record is null || live is null) return;
        var actions = new List<string>();

        if (record.Current?.Version != live)
        {
            record = record.WithSuccess(Adopted(live, containers, interrupted),
                new HistoryEntry(interrupted?.DeployId ?? "", live, DateTimeOffset.UtcNow, 0, "succeeded (finished by the restarted agent)",
                    interrupted?.Plan?.DeployedBy ?? "", interrupted?.Plan?.CommitMessage ?? "", null, interrupted?.Operation ?? "deploy"));
            actions.Add($"adopted {live}: nginx already routed to it");
        }
        else if (interrupted is not null)
        {
            record = record.WithFailure(new HistoryEntry(interrupted.DeployId, interrupted.Plan?.Version ?? "", DateTimeOffset.UtcNow, 0,
                "interrupted", interrupted.Plan?.DeployedBy ?? "", interrupted.Plan?.CommitMessage ?? "", "the agent stopped during the job", interrupted.Operation));
        }

        var stray = containers.Where(c => c.IsRunning && c.Version != live).ToList();
        var routedHere = routedBackends?.Any(b => b.Address == ContainerSpecs.LoopbackAddress) == true;
        if (routed is null && routedHere && record.Current is { } recorded)
        {
            // nginx routes to containers that are gone or stopped: route to the recorded version before anything else
            await RouteToAsync(app, recorded, cancellationToken);
            actions.Add($"nginx rewritten for {recorded.Version}: its config routed to containers that no longer run");
        }
        if (stray.Count > 0 || interrupted is not null)
        {
            if (routedBackends is not null) await tools.Proxy.ReapplyAsync(cancellationToken);
            if (routedBackends is not null && stray.Count > 0)
                await tools.Proxy.DrainAsync(ContainerSpecs.LoopbackEndpoints(stray), DrainBound, cancellationToken);
            foreach (var container in stray)
            {
                if (interrupted is not null && container.DeployId == interrupted.DeployId)
                {
                    await tools.Runtime.RemoveAsync(container.Id, cancellationToken);
                    actions.Add($"removed {container.Name} (started by the interrupted job, never routed)");
                }
                else
                {
                    await tools.Runtime.StopAsync(container.Id, StopGrace, cancellationToken);
                    actions.Add($"stopped {container.Name} (not routed)");
                }
            }
        }

        if (routedBackends is not null && record.Current is { } current)
            tools.Upstreams.Replace(app, Proxy.UpstreamRegistry.Local,
                current.RoutedContainers().Select(c => ContainerSpecs.LocalUpstream(c.HostPort, c.Name)));
        actions.AddRange(await SettleDependenciesAsync(app, adoptedInterrupted: interrupted?.Plan?.Version == live && interrupted is not null, cancellationToken));
        actions.AddRange(await NameAsync(app, live, cancellationToken));
        tools.State.Save(record);
        var summary = actions.Count > 0 ? string.Join("; ", actions) : "nothing to change";
        if (interrupted is not null) FinishJournal(interrupted, live, summary);
        if (actions.Count > 0 || interrupted is not null)
            log.LogWarning("Reconciled {App} after a restart: {Version} serves; {Summary}", app, live, summary);
    }

    /// <summary>Rewrites the app's site for a recorded deployment's running containers (and the other servers' backends the primary keeps).</summary>
    private async Task RouteToAsync(string app, DeploymentRecord deployment, CancellationToken cancellationToken)
    {
        var local = deployment.RoutedContainers().Select(c => ContainerSpecs.LocalUpstream(c.HostPort, c.Name)).ToList();
        var service = deployment.RoutedContainers().FirstOrDefault()?.Service;
        if (local.Count == 0 || service is null) return;
        await tools.Upstreams.WithLockAsync(app, async () =>
        {
            tools.Upstreams.Replace(app, Proxy.UpstreamRegistry.Local, local);
            await tools.Proxy.SwitchAsync(await tools.Sites.CreateAsync(app, service, tools.Upstreams.Backends(app)), cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// A dependency a killed job recreated has its old container stopped under its -previous name: when the
    /// job's version did not become live, the old one runs again; when it did, the old one goes.
    /// </summary>
    private async Task<IReadOnlyList<string>> SettleDependenciesAsync(string app, bool adoptedInterrupted, CancellationToken cancellationToken)
    {
        var dependencies = await tools.Runtime.ListDependenciesAsync(app, cancellationToken);
        var done = new List<string>();
        foreach (var previous in dependencies.Where(d => d.Name == ContainerNames.Superseded(ContainerNames.Dependency(app, d.Dependency))))
        {
            var replacement = dependencies.FirstOrDefault(d => d.Dependency == previous.Dependency && d.Id != previous.Id);
            if (adoptedInterrupted)
            {
                await tools.Runtime.RemoveAsync(previous.Id, cancellationToken);
                done.Add($"removed the previous {previous.Dependency} (its recreated one serves the adopted version)");
                continue;
            }
            if (replacement is not null) await tools.Runtime.RemoveAsync(replacement.Id, cancellationToken);
            await tools.Runtime.RenameAsync(previous.Id, ContainerNames.Dependency(app, previous.Dependency), cancellationToken);
            await tools.Runtime.StartAsync(previous.Id, cancellationToken);
            done.Add($"the previous {previous.Dependency} runs again (the job that recreated it was interrupted)");
        }
        return done;
    }

    /// <summary>The live version's containers take the stable names, the others their versioned ones (a crash can fall between two renames).</summary>
    private async Task<IReadOnlyList<string>> NameAsync(string app, string live, CancellationToken cancellationToken)
    {
        var containers = await tools.Runtime.ListAppContainersAsync(app, cancellationToken);
        var liveIds = ContainerNaming.LiveIds(live, containers);
        var done = new List<string>();
        foreach (var rename in ContainerNaming.Plan(containers, liveIds))
        {
            await tools.Runtime.RenameAsync(rename.Id, rename.To, cancellationToken);
            done.Add($"renamed {rename.From} to {rename.To}");
        }
        return done;
    }

    private sealed record InterruptedJobInfo(string DeployId, string JournalPath, DeployPlan? Plan, string Operation, long LastSequence);

    /// <summary>The app's last journal, if it has no ending: its job died with the agent.</summary>
    private InterruptedJobInfo? InterruptedJob(string app)
    {
        var directory = tools.State.JournalDirectory(app);
        if (!Directory.Exists(directory)) return null;
        var journal = Directory.EnumerateFiles(directory, "*.jsonl").Order(StringComparer.Ordinal).LastOrDefault();
        if (journal is null) return null;
        var events = Journal.Read(journal, log);
        if (events.Any(e => e.Finished is not null)) return null;

        var deployId = Path.GetFileNameWithoutExtension(journal);
        var plan = tools.State.LoadPlan(app, deployId);
        var operation = events.FirstOrDefault()?.Operation == Operation.Rollback ? "rollback" : "deploy";
        return new InterruptedJobInfo(deployId, journal, plan, operation, events.LastOrDefault()?.Sequence ?? 0);
    }

    private static DeploymentRecord Adopted(string version, IReadOnlyList<AppContainer> containers, InterruptedJobInfo? interrupted)
    {
        var own = containers.Where(c => c.Version == version).ToList();
        var adopted = new DeploymentRecord
        {
            Version = version,
            Image = "",
            DeployId = own.FirstOrDefault()?.DeployId ?? interrupted?.DeployId ?? "",
            DeployedAt = own.Select(c => c.DeployedAt).FirstOrDefault(d => d is not null) ?? DateTimeOffset.UtcNow,
            DeployedBy = own.FirstOrDefault()?.DeployedBy ?? "",
            Containers = own.Where(c => c.IsRunning).Select(c => new ContainerRecord(c.Name, c.Id, c.Service, c.Replica, c.HostPort)).ToList(),
        };
        return interrupted?.Plan?.Version == version ? adopted.WithPlan(interrupted.Plan) : adopted;
    }

    private static void FinishJournal(InterruptedJobInfo job, string live, string summary)
    {
        var adopted = job.Plan?.Version == live;
        var ending = new DeployEvent
        {
            Sequence = job.LastSequence + 1,
            UnixMilliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            DeployId = job.DeployId,
            Operation = job.Operation == "rollback" ? Operation.Rollback : Operation.Deploy,
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

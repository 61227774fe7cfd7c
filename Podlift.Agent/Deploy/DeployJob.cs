using System.Diagnostics;
using Podlift.Agent.Docker;
using Podlift.Agent.Health;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>A deploy that cannot go on; nothing was switched when it is thrown before the proxy step.</summary>
public sealed class DeployFailure(string message, string? detail = null) : Exception(message)
{
    public string? Detail { get; } = detail;
}

/// <summary>
/// Makes this server run one plan with zero downtime: new containers start beside the old ones on fresh
/// ports, must pass their health checks, then nginx is switched to them, the old upstream drains, and the
/// old containers are stopped (kept for rollback). Any failure before the switch removes the new
/// containers and leaves the old version serving, untouched.
/// </summary>
public sealed class DeployJob(
    DeployPlan plan, string deployId, IContainerRuntime runtime, IReverseProxy proxy, HttpHealthProbe health,
    StateStore state, DeployProgress progress)
{
    private const string LoopbackAddress = "127.0.0.1";
    private const int LogTailLines = 20;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WorkerSettleTime = TimeSpan.FromSeconds(1);

    private sealed record StartedContainer(string Id, string Name, ServicePlan Service, int Replica, int HostPort);

    private readonly List<StartedContainer> _started = [];
    private readonly List<(string Id, string Name)> _movedAside = [];
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var record = state.Load(plan.App) ?? new AppRecord { App = plan.App };
        var previousVersion = record.Current?.Version ?? "";
        var switched = false;
        try
        {
            if (await runtime.InspectImageAsync(plan.Image, cancellationToken) is null)
                throw new DeployFailure($"image {plan.Image} is not on this server", "push the image before deploying it");
            var existing = await runtime.ListAppContainersAsync(plan.App, cancellationToken);

            await RunStepAsync(DeployStep.Start, () => StartAndCheckAsync(existing, cancellationToken));

            ProxySwitch? change = null;
            var routed = _started.Where(c => c.Service.Routed).ToList();
            if (plan.Proxy?.Enabled == true && routed.Count > 0)
            {
                await RunStepAsync(DeployStep.Switch, async () =>
                {
                    progress.Info("Traffic switching to new version...");
                    change = await proxy.SwitchAsync(SiteFor(routed), cancellationToken);
                    switched = true;
                    progress.Success("100% of traffic on new version");
                });
            }

            var deployed = Record();
            await RunStepAsync(DeployStep.Cleanup, () => CleanupAsync(existing, change, cancellationToken));
            state.Save(record.WithSuccess(deployed, History("succeeded", null)));
            progress.Finished(true, plan.Version, previousVersion, _clock.Elapsed);
        }
        catch (Exception e) when (!switched)
        {
            await UndoStartAsync();
            var (message, detail) = Describe(e);
            if (detail is not null) progress.Error(detail);
            SaveQuietly(record.WithFailure(History("failed", message)));
            progress.Finished(false, plan.Version, previousVersion, _clock.Elapsed, message);
        }
        catch (Exception e)
        {
            // Traffic is already on the new version: record that truth, whatever failed afterwards.
            var message = $"{plan.Version} is serving, but finishing the deploy failed: {Describe(e).Message}";
            SaveQuietly(record.WithSuccess(Record(), History("succeeded-with-errors", message)));
            progress.Finished(false, plan.Version, previousVersion, _clock.Elapsed, message);
        }
    }

    private async Task RunStepAsync(DeployStep step, Func<Task> body)
    {
        var clock = Stopwatch.StartNew();
        progress.StepStarted(step);
        await body();
        progress.StepFinished(step, clock.Elapsed);
    }

    private async Task StartAndCheckAsync(IReadOnlyList<AppContainer> existing, CancellationToken cancellationToken)
    {
        var replicas = plan.Services.Sum(s => s.ContainerPort > 0 ? Math.Max(1, s.Replicas) : 0);
        var bound = await runtime.HostPortsBoundAsync(cancellationToken);
        var ports = new Queue<int>(PortAllocator.Allocate(replicas, bound, IsPortFree));

        foreach (var service in plan.Services)
        {
            for (var replica = 1; replica <= Math.Max(1, service.Replicas); replica++)
            {
                var name = ContainerNames.For(plan.App, service.Name, plan.Version, replica);
                await MoveAsideAsync(existing, name, cancellationToken);
                var hostPort = service.ContainerPort > 0 ? ports.Dequeue() : 0;
                progress.Info($"Starting {name}...");
                var id = await runtime.CreateAndStartAsync(Spec(service, name, replica, hostPort), cancellationToken);
                _started.Add(new StartedContainer(id, name, service, replica, hostPort));
            }
        }

        foreach (var container in _started) await CheckAsync(container, cancellationToken);
    }

    private async Task CheckAsync(StartedContainer container, CancellationToken cancellationToken)
    {
        HealthResult result;
        if (plan.SkipHealthcheck)
        {
            progress.Warning($"{container.Name}: health check skipped (--skip-healthcheck)");
            return;
        }
        if (container.Service.Healthcheck is { } check && container.HostPort > 0)
        {
            result = await health.WaitHealthyAsync(container.Id, LoopbackAddress, container.HostPort, HealthCheckSettings.From(check), cancellationToken);
        }
        else
        {
            await Task.Delay(WorkerSettleTime, cancellationToken);
            var status = await runtime.StatusAsync(container.Id, cancellationToken);
            result = new HealthResult(status.Running, WorkerSettleTime, status.Running ? "" : $"the container exited with code {status.ExitCode}");
        }

        if (result.Healthy)
        {
            progress.HealthChecked(container.Name, true, result.Elapsed);
            return;
        }
        var log = await runtime.TailLogAsync(container.Id, LogTailLines, CancellationToken.None);
        progress.HealthChecked(container.Name, false, result.Elapsed, result.Reason, log);
        throw new DeployFailure($"{container.Name} failed its health check: {result.Reason}",
            "Container started but failed health checks.\nOld containers still running. No downtime occurred.");
    }

    private async Task CleanupAsync(IReadOnlyList<AppContainer> existing, ProxySwitch? change, CancellationToken cancellationToken)
    {
        var startedIds = _started.Select(c => c.Id).ToHashSet();
        var old = existing.Where(c => c.IsRunning && !startedIds.Contains(c.Id)).ToList();
        if (change is not null && old.Count > 0)
        {
            var drain = TimeSpan.FromMilliseconds(plan.DrainMilliseconds);
            progress.Info($"Waiting up to {drain.TotalSeconds:0.#}s for in-flight requests to complete...");
            var oldPorts = old.Where(c => c.HostPort > 0).Select(c => c.HostPort).ToHashSet();
            var drained = await proxy.DrainAsync(change, oldPorts, drain, cancellationToken);
            if (drained.Drained) progress.Success($"Connections drained ({drained.Elapsed.TotalSeconds:0.0}s)");
            else progress.Warning($"Drain limit of {drain.TotalSeconds:0.#}s reached with {drained.ConnectionsLeft} connections open; stopping anyway");
        }

        foreach (var container in old)
        {
            await runtime.StopAsync(container.Id, StopGrace, cancellationToken);
            progress.Detail($"{container.Name} stopped");
        }
        if (old.Count > 0) progress.Success("Old containers stopped");

        foreach (var (id, _) in _movedAside) await runtime.RemoveAsync(id, cancellationToken);
        var remaining = (await runtime.ListAppContainersAsync(plan.App, cancellationToken)).Where(c => !startedIds.Contains(c.Id));
        foreach (var container in RetentionPolicy.SelectForRemoval(remaining, RetentionPolicy.DefaultVersionsKept - 1))
        {
            await runtime.RemoveAsync(container.Id, cancellationToken);
            progress.Detail($"{container.Name} removed (beyond the kept versions)");
        }
    }

    /// <summary>A redeploy of the same version reuses names: the running container steps aside until the new one is live.</summary>
    private async Task MoveAsideAsync(IReadOnlyList<AppContainer> existing, string name, CancellationToken cancellationToken)
    {
        var holder = existing.FirstOrDefault(c => c.Name == name);
        if (holder is null) return;
        if (!holder.IsRunning)
        {
            await runtime.RemoveAsync(holder.Id, cancellationToken);
            return;
        }
        await runtime.RenameAsync(holder.Id, ContainerNames.Replaced(name, _startedAt), cancellationToken);
        _movedAside.Add((holder.Id, name));
    }

    private async Task UndoStartAsync()
    {
        foreach (var container in _started)
        {
            try { await runtime.RemoveAsync(container.Id, CancellationToken.None); }
            catch (Exception e) { progress.Warning($"could not remove {container.Name}: {e.Message}"); }
        }
        foreach (var (id, name) in _movedAside)
        {
            try { await runtime.RenameAsync(id, name, CancellationToken.None); }
            catch (Exception e) { progress.Warning($"could not rename {id[..12]} back to {name}: {e.Message}"); }
        }
    }

    private ContainerSpec Spec(ServicePlan service, string name, int replica, int hostPort) => new(
        name, plan.Image, service.Env, service.Command, new Dictionary<string, string>
        {
            [PodliftLabels.App] = plan.App,
            [PodliftLabels.Service] = service.Name,
            [PodliftLabels.Version] = plan.Version,
            [PodliftLabels.Replica] = replica.ToString(),
            [PodliftLabels.DeployedAt] = _startedAt.ToString("O"),
            [PodliftLabels.DeployedBy] = plan.DeployedBy,
            [PodliftLabels.DeployId] = deployId,
        }, service.ContainerPort, hostPort, LoopbackAddress);

    private NginxSite SiteFor(IReadOnlyList<StartedContainer> routed) => new(
        plan.App, routed[0].Service.Name, plan.Version, plan.Proxy.Domain,
        routed.Select(c => new UpstreamServer(LoopbackAddress, c.HostPort, c.Name)).ToList(),
        NginxProxy.HostHasIPv6);

    private DeploymentRecord Record() => new()
    {
        Version = plan.Version,
        Image = plan.Image,
        DeployId = deployId,
        DeployedAt = _startedAt,
        DeployedBy = plan.DeployedBy,
        CommitMessage = plan.CommitMessage,
        Containers = _started.Select(c => new ContainerRecord(c.Name, c.Id, c.Service.Name, c.Replica, c.HostPort)).ToList(),
        HealthPaths = plan.Services.Where(s => s.Healthcheck is not null)
            .ToDictionary(s => s.Name, s => HealthCheckSettings.From(s.Healthcheck).Path),
    };

    private HistoryEntry History(string outcome, string? error) =>
        new(deployId, plan.Version, _startedAt, (long)_clock.Elapsed.TotalMilliseconds, outcome, plan.DeployedBy, plan.CommitMessage, error);

    private void SaveQuietly(AppRecord record)
    {
        try { state.Save(record); }
        catch (Exception e) { progress.Warning($"could not write state: {e.Message}"); }
    }

    private static (string Message, string? Detail) Describe(Exception e) => e switch
    {
        DeployFailure failure => (failure.Message, failure.Detail),
        OperationCanceledException => ("the agent is shutting down; the deploy was stopped before traffic moved", null),
        ProxyException proxyError => (proxyError.Message, "Old containers still running. No downtime occurred."),
        _ => (e.Message, null),
    };

    private static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}

using System.Diagnostics;
using Google.Protobuf;
using Podlift.Agent.Docker;
using Podlift.Agent.Health;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;
using Podlift.Agent.Hooks;

namespace Podlift.Agent.Deploy;

/// <summary>A deploy that cannot go on; nothing was switched when it is thrown before the proxy step.</summary>
public sealed class DeployFailure(string message, string? detail = null) : Exception(message)
{
    public string? Detail { get; } = detail;
}

/// <summary>The parts a job works with, wired once by the host.</summary>
public sealed record DeployTools(
    IContainerRuntime Runtime, IReverseProxy Proxy, HttpHealthProbe Health, StateStore State,
    DependencyManager Dependencies, HookRunner Hooks, UpstreamRegistry Upstreams, SwitchGate Gate, PeerFirewall Firewall,
    NginxSiteFactory Sites, PortReservations Ports, ReleaseRunner Release);

/// <summary>
/// Makes this server run one plan with zero downtime: new containers start beside the old ones on fresh
/// ports (a rollback starts the target's stopped containers again), must pass their health checks, the
/// release command runs (a deploy on the primary), then nginx is switched to them, the old upstream
/// drains, the old containers are stopped (kept for rollback) and the live ones take the stable names.
/// Any failure before the switch undoes the start and leaves the old version serving.
/// </summary>
public sealed class DeployJob(JobSpec job, DeployTools tools, DeployProgress progress)
{
    private const int LogTailLines = 20;
    private static readonly TimeSpan PrimaryWaitLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WorkerSettleTime = TimeSpan.FromSeconds(1);

    private sealed record StartedContainer(string Id, string Name, ServicePlan Service, int Replica, int HostPort, bool Reused);

    private readonly DeployPlan _plan = job.Plan;
    private readonly List<StartedContainer> _started = [];
    private readonly List<(string Id, string Name)> _movedAside = [];
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly NetworkPlan _network = job.Plan.Network ?? new NetworkPlan();
    private readonly Dictionary<string, string> _dependencyAddresses = [];
    private string _primaryAddress = "";
    private bool _keepStarted;
    private IReadOnlyList<DependencyReplacement> _replacedDependencies = [];
    private IContainerRuntime Runtime => tools.Runtime;

    /// <summary>Several servers: ports are published for the other servers (behind the peer firewall).</summary>
    private bool HasPeers => _network.Peers.Count > 0;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var record = tools.State.Load(_plan.App) ?? new AppRecord { App = _plan.App };
        var previousVersion = record.Current?.Version ?? "";
        var switched = false;
        try
        {
            if (!job.IsRollback && job.Hooks.BeforeDeploy.Count > 0)
                await RunStepAsync(DeployStep.BeforeHooks, () => RunHooksOrFailAsync(job.Hooks.BeforeDeploy, "before_deploy", previousVersion, cancellationToken));
            if (!job.IsRollback && await Runtime.InspectImageAsync(_plan.Image, cancellationToken) is null)
                throw new DeployFailure($"image {_plan.Image} is not on this server", "push the image before deploying it");
            RefuseSiteConflict();
            var existing = await Runtime.ListAppContainersAsync(_plan.App, cancellationToken);

            await RunStepAsync(DeployStep.Start, () => StartAndCheckAsync(existing, cancellationToken));
            if (!job.IsRollback && _plan.Release is { Command.Count: > 0 })
                await RunStepAsync(DeployStep.Release, () => RunReleaseAsync(cancellationToken));

            var switchedLocally = false;
            var routed = _started.Where(c => c.Service.Routed).ToList();
            if (RoutesThroughNginx && routed.Count > 0)
            {
                await RunStepAsync(DeployStep.Switch, async () =>
                {
                    if (_network.AwaitsPrimary)
                    {
                        await WaitForPrimaryAsync(routed, cancellationToken);
                        switched = true;
                    }
                    progress.Info(job.IsRollback ? $"Traffic switching to {_plan.Version}..." : "Traffic switching to new version...");
                    await SwitchLocalNginxAsync(routed, cancellationToken);
                    switched = switchedLocally = true;
                    progress.Success(job.IsRollback ? $"Traffic routing to {_plan.Version}" : "100% of traffic on new version");
                });
            }

            var rollbackTargetAfter = Transition(record, Record(), History("succeeded", null)).Previous;
            await RunStepAsync(DeployStep.Cleanup, () => CleanupAsync(existing, switchedLocally, rollbackTargetAfter, cancellationToken));
            var names = await TakeStableNamesAsync(cancellationToken);
            tools.State.Save(Transition(record, Record(names), History("succeeded", null)));

            var afterHooks = job.IsRollback ? job.Hooks.AfterRollback : job.Hooks.AfterDeploy;
            var failedHook = afterHooks.Count > 0
                ? await RunAfterHooksAsync(afterHooks, previousVersion, cancellationToken)
                : null;
            progress.Finished(failedHook is null, _plan.Version, previousVersion, _clock.Elapsed,
                failedHook is null ? "" : $"{_plan.Version} is live, but the {AfterHookName} hook `{failedHook.Command}` failed (exit {failedHook.ExitCode})");
        }
        catch (Exception e) when (!switched)
        {
            if (!_keepStarted) await UndoStartAsync();
            var (message, detail) = Describe(e);
            progress.Error(string.Join('\n', new[] { detail, _keepStarted ? null : WhatServes(record, e) }.OfType<string>()));
            SaveQuietly(record.WithFailure(History("failed", message)));
            progress.Finished(false, _plan.Version, previousVersion, _clock.Elapsed, message);
        }
        catch (Exception e)
        {
            // Traffic is already on the new version: record that truth, whatever failed afterwards.
            var message = $"{_plan.Version} is serving, but finishing failed: {Describe(e).Message}";
            SaveQuietly(Transition(record, Record(), History("succeeded-with-errors", message)));
            progress.Finished(false, _plan.Version, previousVersion, _clock.Elapsed, message);
        }
    }

    private bool RoutesThroughNginx => _plan.Proxy?.Enabled == true;

    /// <summary>nginx serves one default site and one site per host name: a clash is refused before anything starts.</summary>
    private void RefuseSiteConflict()
    {
        if (!RoutesThroughNginx || !_plan.Services.Any(s => s.Routed)) return;
        if (tools.Proxy.ConflictWith(_plan.App, ProxyDefaults.Domains(_plan.Proxy)) is { } conflict)
            throw new DeployFailure($"nginx on this server: {conflict}",
                "give each app its own `domain:` in podlift.yml (one app may stay the default site)");
    }

    /// <summary>
    /// After a failure before the switch: what serves now, as podlift can tell. "No downtime" only when
    /// nginx's config on disk routes to exactly the old version's containers and nginx confirmed it runs it.
    /// </summary>
    private string? WhatServes(AppRecord record, Exception failure)
    {
        if (failure is ProxyException { PreviousRestored: false })
            return "nginx could not be confirmed back on the previous config: check `nginx -t` and `systemctl status nginx` on this server now.";
        if (record.Current is null) return "Nothing was switched: nothing of this app served here before.";
        var routed = RoutesThroughNginx ? tools.Proxy.RoutedBackends(_plan.App) : null;
        if (routed is null) return "Old containers still running.";
        var routedHere = routed.Where(b => b.Address == ContainerSpecs.LoopbackAddress).Select(b => b.Port).ToHashSet();
        var oldPorts = record.Current.RoutedContainers().Select(c => c.HostPort).ToHashSet();
        return routedHere.SetEquals(oldPorts)
            ? "Old containers still running. No downtime occurred."
            : $"Old containers still running, but nginx's config does not route to exactly them: check /etc/nginx/conf.d/{NginxSite.FileName(_plan.App)}.";
    }

    /// <summary>
    /// A non-primary web server: the primary's nginx routes here. The new containers are offered to it
    /// (through the CLI, which calls SetUpstream on the primary) and this job waits for the answer.
    /// </summary>
    private async Task WaitForPrimaryAsync(IReadOnlyList<StartedContainer> routed, CancellationToken cancellationToken)
    {
        var answer = tools.Gate.WaitAsync(job.DeployId, PrimaryWaitLimit, cancellationToken);
        progress.AwaitingSwitch(routed[0].Service.Name, routed.Select(c => new Backend { Address = _network.AdvertisedAddress, Port = c.HostPort, Name = c.Name }));
        progress.Info("Waiting for the primary's load balancer to take the new containers...");
        var reply = await answer;
        if (reply.Proceed)
        {
            progress.Success("The primary's load balancer routes to the new containers");
            return;
        }
        // Without an answer the primary may or may not route here already: keep old and new running, stop nothing.
        _keepStarted = reply.NoAnswer;
        throw new DeployFailure($"the primary did not take the new containers: {reply.Reason}",
            _keepStarted ? "Old and new containers are both left running; the next deploy cleans up." : null);
    }

    private string AfterHookName => job.IsRollback ? "after_rollback" : "after_deploy";

    private AppRecord Transition(AppRecord record, DeploymentRecord deployed, HistoryEntry entry) =>
        job.IsRollback ? record.WithRollback(deployed, entry) : record.WithSuccess(deployed, entry);

    private async Task RunStepAsync(DeployStep step, Func<Task> body)
    {
        var clock = Stopwatch.StartNew();
        progress.StepStarted(step);
        await body();
        progress.StepFinished(step, clock.Elapsed);
    }

    private async Task RunHooksOrFailAsync(IEnumerable<string> commands, string name, string previousVersion, CancellationToken cancellationToken)
    {
        var failed = await tools.Hooks.RunAsync(commands, HookEnvironment(previousVersion), progress, cancellationToken);
        if (failed is not null)
            throw new DeployFailure($"the {name} hook `{failed.Command}` failed (exit {failed.ExitCode}); nothing was changed");
    }

    private async Task<HookRan?> RunAfterHooksAsync(IEnumerable<string> commands, string previousVersion, CancellationToken cancellationToken)
    {
        HookRan? failed = null;
        await RunStepAsync(DeployStep.AfterHooks, async () =>
            failed = await tools.Hooks.RunAsync(commands, HookEnvironment(previousVersion), progress, cancellationToken));
        return failed;
    }

    private IReadOnlyDictionary<string, string> HookEnvironment(string previousVersion) =>
        HookRunner.Environment(_plan.App, _plan.Version, previousVersion, job.Operation, job.Hooks.Environment);

    private async Task StartAndCheckAsync(IReadOnlyList<AppContainer> existing, CancellationToken cancellationToken)
    {
        var gateway = await Runtime.EnsureNetworkAsync(ContainerSpecs.NetworkName(_plan.App), cancellationToken);
        _primaryAddress = _network.PrimaryAddress.Length > 0
            ? (await Machine.HostAddresses.ResolveAsync(_network.PrimaryAddress, cancellationToken)).ToString()
            : gateway;
        foreach (var (name, host) in _network.DependencyHosts)
            _dependencyAddresses[name] = (await Machine.HostAddresses.ResolveAsync(host, cancellationToken)).ToString();
        var bindAddress = _network.AwaitsPrimary ? ContainerSpecs.AllInterfaces : ContainerSpecs.LoopbackAddress;

        // a rollback starts the target's own containers again, one per replica (the labels say which)
        var reusable = job.IsRollback
            ? existing.Where(c => c.Version == _plan.Version).GroupBy(c => (c.Service, c.Replica))
                .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.IsRunning).ThenByDescending(c => c.StartedAt ?? DateTimeOffset.MinValue).First())
            : new Dictionary<(string, int), AppContainer>();
        var toCreate = _plan.Services.Sum(s => s.ContainerPort > 0 ? Replicas(s).Count(r => !reusable.ContainsKey((s.Name, r))) : 0);
        using var ports = tools.Ports.Reserve(toCreate, await Runtime.HostPortsBoundAsync(cancellationToken), IsPortFree);

        // before anything is published on all interfaces: only the app's servers may reach its ports
        if (HasPeers) await ApplyFirewallAsync(existing, ports.Ports, cancellationToken);
        if (!job.IsRollback)
            _replacedDependencies = await tools.Dependencies.EnsureAsync(_plan, HasPeers ? ContainerSpecs.AllInterfaces : gateway, progress, cancellationToken);

        var free = new Queue<int>(ports.Ports);
        foreach (var service in _plan.Services)
            foreach (var replica in Replicas(service))
                await StartReplicaAsync(existing, reusable, service, replica, bindAddress, free, cancellationToken);
        ports.Dispose(); // the containers exist: Docker reports their ports as bound from now on

        foreach (var container in _started) await CheckAsync(container, cancellationToken);
    }

    private async Task ApplyFirewallAsync(IReadOnlyList<AppContainer> existing, IReadOnlyList<int> newPorts, CancellationToken cancellationToken)
    {
        var peers = new List<System.Net.IPAddress>();
        foreach (var peer in _network.Peers) peers.Add(await Machine.HostAddresses.ResolveAsync(peer, cancellationToken));
        var protectedPorts = existing.Select(c => c.HostPort).Concat(newPorts).Concat(_plan.Dependencies.Select(d => d.Port)).Where(p => p > 0).ToHashSet();
        progress.Detail(await tools.Firewall.ApplyAsync(_plan.App, peers, protectedPorts, cancellationToken));
    }

    private static IEnumerable<int> Replicas(ServicePlan service) => Enumerable.Range(1, Math.Max(1, service.Replicas));

    private async Task StartReplicaAsync(IReadOnlyList<AppContainer> existing, IReadOnlyDictionary<(string, int), AppContainer> reusable,
        ServicePlan service, int replica, string bindAddress, Queue<int> ports, CancellationToken cancellationToken)
    {
        var name = ContainerNames.For(_plan.App, service.Name, _plan.Version, replica);
        progress.Info($"Starting {name}...");
        if (reusable.TryGetValue((service.Name, replica), out var old))
        {
            if (!old.IsRunning) await Runtime.StartAsync(old.Id, cancellationToken);
            _started.Add(new StartedContainer(old.Id, old.Name, service, replica, old.HostPort, Reused: true));
            return;
        }
        await MoveAsideAsync(existing, name, cancellationToken);
        var hostPort = service.ContainerPort > 0 ? ports.Dequeue() : 0;
        var spec = ContainerSpecs.ForService(_plan, service, replica, hostPort, job.DeployId, _startedAt, _primaryAddress, bindAddress, _dependencyAddresses);
        var id = await Runtime.CreateAndStartAsync(spec, cancellationToken);
        _started.Add(new StartedContainer(id, name, service, replica, hostPort, Reused: false));
    }

    /// <summary>The release command (migrations): once, in a one-off container, after the health checks and before any traffic moves.</summary>
    private async Task RunReleaseAsync(CancellationToken cancellationToken)
    {
        var release = _plan.Release;
        var service = _plan.Services.FirstOrDefault(s => s.Name == release.Service)
                      ?? _plan.Services.FirstOrDefault(s => s.Routed) ?? _plan.Services[0];
        var spec = ContainerSpecs.ForRelease(_plan, service, job.DeployId, _primaryAddress, _dependencyAddresses);
        var timeout = release.TimeoutMilliseconds > 0 ? TimeSpan.FromMilliseconds(release.TimeoutMilliseconds) : ReleaseRunner.DefaultTimeout;
        progress.Info($"Running the release command in a {service.Name} container of {_plan.Version}...");
        var ran = await tools.Release.RunAsync(spec, timeout, cancellationToken);
        progress.HookRan(ran);
        if (!ran.Passed)
            throw new DeployFailure($"the release command `{string.Join(' ', release.Command)}` failed (exit {ran.ExitCode}); nothing was switched",
                "The new containers are removed.");
    }

    private async Task CheckAsync(StartedContainer container, CancellationToken cancellationToken)
    {
        if (_plan.SkipHealthcheck)
        {
            progress.Warning($"{container.Name}: health check skipped (--skip-healthcheck)");
            return;
        }

        var result = await HealthOfAsync(container, cancellationToken);
        if (result.Healthy)
        {
            progress.HealthChecked(container.Name, true, result.Elapsed);
            return;
        }
        var log = await Runtime.TailLogAsync(container.Id, LogTailLines, CancellationToken.None);
        progress.HealthChecked(container.Name, false, result.Elapsed, result.Reason, log);
        throw new DeployFailure($"{container.Name} failed its health check: {result.Reason}", "Container started but failed health checks.");
    }

    private async Task<HealthResult> HealthOfAsync(StartedContainer container, CancellationToken cancellationToken)
    {
        var service = container.Service;
        if (service.ImageHealthcheck && (await Runtime.InspectImageAsync(_plan.Image, cancellationToken))?.Healthcheck is { } imageCheck)
            return await tools.Health.WaitDockerHealthyAsync(container.Id, imageCheck, service.Healthcheck, cancellationToken);
        if (service.Healthcheck is { } check && container.HostPort > 0)
            return await tools.Health.WaitHealthyAsync(container.Id, ContainerSpecs.LoopbackAddress, container.HostPort, HealthCheckSettings.From(check), cancellationToken);

        await Task.Delay(WorkerSettleTime, cancellationToken);
        var status = await Runtime.StatusAsync(container.Id, cancellationToken);
        return new HealthResult(status.Running, WorkerSettleTime, status.Running ? "" : $"the container exited with code {status.ExitCode}");
    }

    private async Task CleanupAsync(IReadOnlyList<AppContainer> existing, bool switchedLocally, DeploymentRecord? rollbackTarget, CancellationToken cancellationToken)
    {
        var startedIds = _started.Select(c => c.Id).ToHashSet();
        var old = existing.Where(c => c.IsRunning && !startedIds.Contains(c.Id)).ToList();
        if (switchedLocally && old.Count > 0)
        {
            var drain = TimeSpan.FromMilliseconds(_plan.DrainMilliseconds);
            progress.Info($"Waiting up to {drain.TotalSeconds:0.#}s for in-flight requests to complete...");
            var drained = await tools.Proxy.DrainAsync(ContainerSpecs.LoopbackEndpoints(old), drain, cancellationToken);
            if (drained.Drained) progress.Success($"Connections drained ({drained.Elapsed.TotalSeconds:0.0}s)");
            else progress.Warning($"Drain limit of {drain.TotalSeconds:0.#}s reached with {drained.ConnectionsLeft} connections open; stopping anyway");
        }

        foreach (var container in old)
        {
            await Runtime.StopAsync(container.Id, StopGrace, cancellationToken);
            if (job.IsRollback) progress.Success($"{container.Name} stopped");
            else progress.Detail($"{container.Name} stopped");
        }
        if (old.Count > 0 && !job.IsRollback) progress.Success("Old containers stopped");

        // a redeploy of the same version: the containers it replaced are copies of the new ones, not a version to return to
        foreach (var superseded in old.Where(c => c.Version == _plan.Version)) await Runtime.RemoveAsync(superseded.Id, cancellationToken);
        foreach (var (id, _) in _movedAside) await Runtime.RemoveAsync(id, cancellationToken);
        await tools.Dependencies.RetireAsync(_replacedDependencies, cancellationToken);
        await PruneAsync(rollbackTarget, startedIds, cancellationToken);
    }

    /// <summary>
    /// The live containers take the stable names (&lt;app&gt;-&lt;service&gt;-&lt;n&gt;), the superseded ones their versioned
    /// names back. Traffic has moved already: a rename that fails is a warning, never a failed deploy.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> TakeStableNamesAsync(CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>();
        try
        {
            var containers = await Runtime.ListAppContainersAsync(_plan.App, cancellationToken);
            foreach (var rename in ContainerNaming.Plan(containers, _started.Select(c => c.Id).ToHashSet()))
            {
                await Runtime.RenameAsync(rename.Id, rename.To, cancellationToken);
                names[rename.Id] = rename.To;
                progress.Detail($"{rename.From} is now {rename.To}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            progress.Warning($"could not give the containers their stable names: {e.Message}");
        }
        return names;
    }

    /// <summary>Removes stopped containers (and images) of versions beyond those kept; never the rollback target.</summary>
    private async Task PruneAsync(DeploymentRecord? rollbackTarget, IReadOnlySet<string> startedIds, CancellationToken cancellationToken)
    {
        var protectedVersions = new HashSet<string> { _plan.Version };
        if (rollbackTarget is not null) protectedVersions.Add(rollbackTarget.Version);
        var kept = _plan.VersionsKept > 0 ? _plan.VersionsKept : RetentionPolicy.DefaultVersionsKept;
        var remaining = (await Runtime.ListAppContainersAsync(_plan.App, cancellationToken)).Where(c => !startedIds.Contains(c.Id));
        var removed = RetentionPolicy.SelectForRemoval(remaining, kept, protectedVersions);
        foreach (var container in removed)
        {
            await Runtime.RemoveAsync(container.Id, cancellationToken);
            progress.Detail($"{container.Name} removed (beyond the {kept} versions kept)");
        }
        foreach (var version in removed.Select(c => c.Version).Distinct())
            await Runtime.RemoveImageAsync(ImageNames.WithTag(_plan.Image, version), cancellationToken);
    }

    /// <summary>A redeploy of the same version reuses names: the running container steps aside until the new one is live.</summary>
    private async Task MoveAsideAsync(IReadOnlyList<AppContainer> existing, string name, CancellationToken cancellationToken)
    {
        var holder = existing.FirstOrDefault(c => c.Name == name);
        if (holder is null) return;
        if (!holder.IsRunning)
        {
            await Runtime.RemoveAsync(holder.Id, cancellationToken);
            return;
        }
        await Runtime.RenameAsync(holder.Id, ContainerNames.Replaced(name, _startedAt), cancellationToken);
        _movedAside.Add((holder.Id, name));
    }

    private async Task UndoStartAsync()
    {
        foreach (var container in _started)
        {
            try
            {
                // a rollback target's own containers go back to being stopped; new ones are removed
                if (container.Reused) await Runtime.StopAsync(container.Id, StopGrace, CancellationToken.None);
                else await Runtime.RemoveAsync(container.Id, CancellationToken.None);
            }
            catch (Exception e) { progress.Warning($"could not remove {container.Name}: {e.Message}"); }
        }
        foreach (var (id, name) in _movedAside)
        {
            try { await Runtime.RenameAsync(id, name, CancellationToken.None); }
            catch (Exception e) { progress.Warning($"could not rename {id[..12]} back to {name}: {e.Message}"); }
        }
        await tools.Dependencies.RestoreAsync(_replacedDependencies, progress);
    }

    /// <summary>
    /// This server's nginx routes to its own new containers and, on the primary, to the other servers'
    /// backends too: the registry keeps both, under the lock another server's SetUpstream also takes.
    /// </summary>
    private Task SwitchLocalNginxAsync(IReadOnlyList<StartedContainer> routed, CancellationToken cancellationToken) =>
        tools.Upstreams.WithLockAsync(_plan.App, async () =>
        {
            var local = routed.Select(c => ContainerSpecs.LocalUpstream(c.HostPort, c.Name)).ToList();
            var replaced = tools.Upstreams.Replace(_plan.App, UpstreamRegistry.Local, local);
            var backends = _network.AwaitsPrimary ? local : tools.Upstreams.Backends(_plan.App);
            var previousSettings = tools.Sites.LoadSettings(_plan.App);
            tools.Sites.SaveSettings(_plan.App, _plan.Proxy);
            var site = await tools.Sites.CreateAsync(_plan.App, routed[0].Service.Name, backends, _plan.Proxy);
            try
            {
                await tools.Proxy.SwitchAsync(site, cancellationToken);
                return true;
            }
            catch
            {
                tools.Upstreams.Replace(_plan.App, UpstreamRegistry.Local, replaced);
                if (previousSettings is not null) tools.Sites.SaveSettings(_plan.App, previousSettings);
                throw;
            }
        }, cancellationToken);

    /// <param name="names">Containers renamed since they started: id → name.</param>
    private DeploymentRecord Record(IReadOnlyDictionary<string, string>? names = null) => new DeploymentRecord
    {
        Version = _plan.Version,
        Image = _plan.Image,
        DeployId = job.RollbackTarget?.DeployId ?? job.DeployId,
        DeployedAt = job.RollbackTarget?.DeployedAt ?? _startedAt,
        DeployedBy = _plan.DeployedBy,
        Containers = _started.Select(c => new ContainerRecord(names?.GetValueOrDefault(c.Id) ?? c.Name, c.Id, c.Service.Name, c.Replica, c.HostPort)).ToList(),
    }.WithPlan(_plan);

    private HistoryEntry History(string outcome, string? error) =>
        new(job.DeployId, _plan.Version, _startedAt, (long)_clock.Elapsed.TotalMilliseconds, outcome, _plan.DeployedBy, _plan.CommitMessage, error,
            job.IsRollback ? "rollback" : "deploy");

    private void SaveQuietly(AppRecord record)
    {
        try { tools.State.Save(record); }
        catch (Exception e) { progress.Warning($"could not write state: {e.Message}"); }
    }

    internal static (string Message, string? Detail) Describe(Exception e) => e switch
    {
        DeployFailure failure => (failure.Message, failure.Detail),
        OperationCanceledException => ("the agent is shutting down; the job was stopped before traffic moved", null),
        ProxyException proxyError => (proxyError.Message, null),
        FirewallException firewall => ($"firewall: {firewall.Message}", "Nothing was started or published."),
        IOException io when DiskFull.Caused(io) => (DiskFull.Explain(io), DiskFull.Fix),
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

using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.State;

/// <summary>Answers State: the recorded deployments joined with what Docker says runs right now.</summary>
public sealed class AppStateReader(IContainerRuntime runtime, StateStore store, Proxy.IReverseProxy proxy, HttpClient http, ILogger<AppStateReader> log)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public async Task<StateReply> ReadAsync(string? onlyApp, CancellationToken cancellationToken)
    {
        var containers = await runtime.ListAppContainersAsync(string.IsNullOrEmpty(onlyApp) ? null : onlyApp, cancellationToken);
        var apps = containers.Select(c => c.App).Concat(store.Apps()).Distinct()
            .Where(app => string.IsNullOrEmpty(onlyApp) || app == onlyApp).Order();

        var reply = new StateReply();
        foreach (var app in apps)
        {
            var own = containers.Where(c => c.App == app).ToList();
            var (record, rebuilt) = store.LoadOrRebuild(app, own);
            // a read never writes: the rebuilt record is shown, and the next job (or the agent's next start) records it
            if (rebuilt) log.LogWarning("State of {App} is missing or unreadable; shown as rebuilt from container labels", app);
            if (record is null) continue;
            reply.Apps.Add(await ToAppStateAsync(record, own, rebuilt, cancellationToken));
        }
        return reply;
    }

    private async Task<AppState> ToAppStateAsync(AppRecord record, List<AppContainer> containers, bool rebuilt, CancellationToken cancellationToken)
    {
        var state = new AppState
        {
            App = record.App,
            Current = DeploymentOf(record.Current),
            Previous = DeploymentOf(record.Previous),
            RebuiltFromLabels = rebuilt,
        };
        if (record.Canary is { } canary)
            state.Canary = new CanaryState
            {
                Deployment = DeploymentOf(canary.Deployment),
                Share = canary.Share,
                HoldUntilUnixMilliseconds = canary.HoldUntil?.ToUnixTimeMilliseconds() ?? 0,
                DeployId = canary.Deployment.DeployId,
            };
        if (proxy.SiteDomains(record.App) is { } domains)
        {
            state.HasSite = true;
            state.SiteDomains.AddRange(domains);
        }
        foreach (var entry in record.History.Reverse())
        {
            var (outcome, detail) = StateTerms.Outcome(entry.Outcome);
            state.History.Add(new DeploymentInfo
            {
                DeployId = entry.DeployId,
                Operation = StateTerms.Operation(entry.Operation),
                Version = entry.Version,
                Outcome = outcome,
                OutcomeDetail = detail,
                StartedAtUnixMilliseconds = entry.StartedAt.ToUnixTimeMilliseconds(),
                DurationMilliseconds = entry.DurationMilliseconds,
                DeployedBy = entry.DeployedBy,
                CommitMessage = entry.CommitMessage,
                Error = entry.Error ?? "",
                Receipt = entry.Receipt?.ToProto(),
            });
        }
        foreach (var dependency in (await runtime.ListDependenciesAsync(record.App, cancellationToken)).OrderBy(d => d.Dependency, StringComparer.Ordinal))
            state.Dependencies.Add(new DependencyState
            {
                Name = dependency.Dependency,
                Image = dependency.Image,
                Running = dependency.Running,
                Health = dependency.Running ? StateTerms.DockerHealth(dependency.Health) : HealthState.Stopped,
                StartedAtUnixMilliseconds = dependency.StartedAt?.ToUnixTimeMilliseconds() ?? 0,
            });
        foreach (var container in containers.OrderBy(c => c.Service).ThenBy(c => c.Version).ThenBy(c => c.Replica))
        {
            state.Containers.Add(new ContainerState
            {
                Name = container.Name,
                Service = container.Service,
                Version = container.Version,
                Replica = container.Replica,
                Status = container.State,
                Health = await HealthOfAsync(container, record, cancellationToken),
                StartedAtUnixMilliseconds = container.StartedAt?.ToUnixTimeMilliseconds() ?? 0,
                HostPort = container.HostPort,
            });
        }
        return state;
    }

    /// <summary>
    /// What the deploy would say: Docker's own verdict when the image has a HEALTHCHECK, else the deploy's HTTP check
    /// asked once, else running.
    /// </summary>
    private async Task<HealthState> HealthOfAsync(AppContainer container, AppRecord record, CancellationToken cancellationToken)
    {
        if (!container.IsRunning) return HealthState.Stopped;
        if (container.Health != "none") return StateTerms.DockerHealth(container.Health);
        if (record.Current?.HealthCheckOf(container.Service) is not { } check || container.HostPort == 0) return HealthState.Running;

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(ProbeTimeout);
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{container.HostPort}{check.Path}",
                HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            return check.IsHealthy((int)response.StatusCode) ? HealthState.Healthy : HealthState.Unhealthy;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthState.Unhealthy;
        }
    }

    private static Deployment? DeploymentOf(DeploymentRecord? deployment) => deployment is null ? null : new Deployment
    {
        Version = deployment.Version,
        DeployedAtUnixMilliseconds = deployment.DeployedAt.ToUnixTimeMilliseconds(),
        DeployedBy = deployment.DeployedBy,
        CommitMessage = deployment.CommitMessage,
        // deploys before the CLI stripped them recorded remotes with their CI tokens: never hand one out
        Source = ProjectSource.WithoutCredentials(deployment.Source),
    };
}

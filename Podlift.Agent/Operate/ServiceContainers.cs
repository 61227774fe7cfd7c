using Podlift.Agent.Docker;
using Podlift.Agent.State;

namespace Podlift.Agent.Operate;

/// <summary>A request names containers that are not there (or not running): the message says which exist.</summary>
public sealed class ContainerLookupException(string message) : Exception(message);

/// <summary>Finds the containers of one service's current version on this server: what logs and exec act on.</summary>
public sealed class ServiceContainers(IContainerRuntime runtime, StateStore store)
{
    /// <summary>One container per replica, in replica order.</summary>
    private async Task<IReadOnlyList<AppContainer>> CurrentAsync(string app, string service, CancellationToken cancellationToken)
    {
        var containers = await runtime.ListAppContainersAsync(app, cancellationToken);
        var version = (store.Load(app) ?? StateRebuilder.FromContainers(app, containers))?.Current?.Version
                      ?? throw new ContainerLookupException($"{app} is not deployed on this server");
        var selected = Select(version, service, containers);
        if (selected.Count == 0)
        {
            var services = containers.Where(c => c.Version == version).Select(c => c.Service).Distinct().Order().ToList();
            throw new ContainerLookupException($"{app} {version} has no {service} containers on this server" +
                                               (services.Count > 0 ? $" (it runs: {string.Join(", ", services)})" : ""));
        }
        return selected;
    }

    /// <summary>What logs and exec act on: a dependency's container (as replica 0), or the containers of a service's current version.</summary>
    public async Task<IReadOnlyList<AppContainer>> TargetAsync(string app, string name, bool dependency, CancellationToken cancellationToken) =>
        dependency ? [await DependencyAsync(app, name, cancellationToken)] : await CurrentAsync(app, name, cancellationToken);

    /// <summary>The running container of one replica, or of a dependency.</summary>
    public async Task<AppContainer> RunningAsync(string app, string name, bool dependency, int replica, CancellationToken cancellationToken)
    {
        var container = dependency ? await DependencyAsync(app, name, cancellationToken) : await ReplicaAsync(app, name, replica, cancellationToken);
        if (!container.IsRunning) throw new ContainerLookupException($"{container.Name} is not running (it is {container.State})");
        return container;
    }

    private async Task<AppContainer> DependencyAsync(string app, string name, CancellationToken cancellationToken)
    {
        var dependencies = await runtime.ListDependenciesAsync(app, cancellationToken);
        var dependency = dependencies.FirstOrDefault(d => d.Dependency == name)
                         ?? throw new ContainerLookupException($"{app} has no dependency {name} on this server" +
                                                               (dependencies.Count > 0 ? $" (it runs: {string.Join(", ", dependencies.Select(d => d.Dependency).Order())})" : ""));
        return new AppContainer(dependency.Id, dependency.Name, app, name, "", 0, dependency.Running ? "running" : "exited", 0,
            null, "", dependency.Health, dependency.StartedAt);
    }

    private async Task<AppContainer> ReplicaAsync(string app, string service, int replica, CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(app, service, cancellationToken);
        return current.FirstOrDefault(c => c.Replica == replica)
               ?? throw new ContainerLookupException(
                   $"{service} has no replica {replica} on this server (replicas: {string.Join(", ", current.Select(c => c.Replica))})");
    }

    /// <summary>
    /// The service's containers of that version, one per replica: the running one, else the most recently
    /// started (a container moved aside by a redeploy of the same version shares its replica). Pure.
    /// </summary>
    public static IReadOnlyList<AppContainer> Select(string version, string service, IEnumerable<AppContainer> containers) =>
        containers.Where(c => c.Service == service && c.Version == version)
            .GroupBy(c => c.Replica)
            .Select(replica => replica.OrderByDescending(c => c.IsRunning)
                .ThenByDescending(c => c.StartedAt ?? DateTimeOffset.MinValue)
                .ThenByDescending(c => c.DeployedAt ?? DateTimeOffset.MinValue)
                .First())
            .OrderBy(c => c.Replica)
            .ToList();
}

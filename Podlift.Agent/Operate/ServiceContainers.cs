using Podlift.Agent.Docker;
using Podlift.Agent.State;

namespace Podlift.Agent.Operate;

/// <summary>A request names containers that are not there (or not running): the message says which exist.</summary>
public sealed class ContainerLookupException(string message) : Exception(message);

/// <summary>Finds the containers of one service's current version on this server: what logs and exec act on.</summary>
public sealed class ServiceContainers(IContainerRuntime runtime, StateStore store)
{
    /// <summary>One container per replica, in replica order.</summary>
    public async Task<IReadOnlyList<AppContainer>> CurrentAsync(string app, string service, CancellationToken cancellationToken)
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

    /// <summary>The running container of one replica.</summary>
    public async Task<AppContainer> RunningReplicaAsync(string app, string service, int replica, CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(app, service, cancellationToken);
        var container = current.FirstOrDefault(c => c.Replica == replica)
                        ?? throw new ContainerLookupException(
                            $"{service} has no replica {replica} on this server (replicas: {string.Join(", ", current.Select(c => c.Replica))})");
        if (!container.IsRunning) throw new ContainerLookupException($"{container.Name} is not running (it is {container.State})");
        return container;
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

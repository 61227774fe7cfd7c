using System.Security.Cryptography;
using System.Text;
using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>How an app's containers and its dependencies are run: names, labels, network, limits. Pure.</summary>
public static class ContainerSpecs
{
    public const string LoopbackAddress = "127.0.0.1";

    public static string NetworkName(string app) => $"podlift-{app}";

    public const string AllInterfaces = "0.0.0.0";

    /// <summary>Where this server's nginx reaches containers, and where a drain counts their connections: loopback, their published port.</summary>
    public static IReadOnlySet<System.Net.IPEndPoint> LoopbackEndpoints(IEnumerable<AppContainer> containers) =>
        containers.Where(c => c.HostPort > 0).Select(c => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, c.HostPort)).ToHashSet();

    public static Proxy.UpstreamServer LocalUpstream(int hostPort, string containerName) => new(LoopbackAddress, hostPort, containerName);

    /// <param name="dependencyAddresses">Dependencies on other servers: name → that server's address, so the name reaches them from here too.</param>
    public static ContainerSpec ForService(DeployPlan plan, ServicePlan service, int replica, int hostPort, string deployId,
        DateTimeOffset deployedAt, string primaryAddress, string bindAddress = LoopbackAddress,
        IReadOnlyDictionary<string, string>? dependencyAddresses = null) =>
        new(ContainerNames.For(plan.App, service.Name, plan.Version, replica), plan.Image, service.Env, service.Command,
            new Dictionary<string, string>
            {
                [PodliftLabels.App] = plan.App,
                [PodliftLabels.Service] = service.Name,
                [PodliftLabels.Version] = plan.Version,
                [PodliftLabels.Replica] = replica.ToString(),
                [PodliftLabels.DeployedAt] = deployedAt.ToString("O"),
                [PodliftLabels.DeployedBy] = plan.DeployedBy,
                [PodliftLabels.DeployId] = deployId,
            },
            service.ContainerPort, hostPort, bindAddress)
        {
            Network = NetworkName(plan.App),
            ExtraHosts = [$"primary:{primaryAddress}", .. (dependencyAddresses ?? new Dictionary<string, string>())
                .OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}:{d.Value}")],
            Volumes = service.Volumes,
            MemoryBytes = service.Options?.MemoryBytes ?? 0,
            Cpus = service.Options?.Cpus ?? 0,
            Restart = string.IsNullOrEmpty(service.Options?.Restart) ? "unless-stopped" : service.Options.Restart,
        };

    /// <summary>
    /// The one-off container of a release command: the image and everything of the service's container
    /// (env, volumes, network, the names it reaches) but a port, with the release command, never restarted.
    /// </summary>
    public static ContainerSpec ForRelease(DeployPlan plan, ServicePlan service, string deployId, string primaryAddress,
        IReadOnlyDictionary<string, string>? dependencyAddresses = null)
    {
        var container = ForService(plan, service, 0, 0, deployId, DateTimeOffset.UtcNow, primaryAddress, LoopbackAddress, dependencyAddresses);
        return container with
        {
            Name = ContainerNames.Release(plan.App, plan.Version),
            Command = plan.Release.Command,
            ContainerPort = 0,
            Labels = new Dictionary<string, string> { [PodliftLabels.ReleaseOf] = plan.App, [PodliftLabels.Version] = plan.Version, [PodliftLabels.DeployId] = deployId },
            Restart = "no",
        };
    }

    /// <summary>
    /// A dependency listens on the app network under its own name. Its port is published on the
    /// network's gateway only (reachable from the app's containers as `primary`, not from the internet),
    /// or, when other servers need it, on all interfaces behind <see cref="Proxy.PeerFirewall"/>.
    /// </summary>
    public static ContainerSpec ForDependency(string app, DependencyPlan dependency, string bindAddress) =>
        new(ContainerNames.Dependency(app, dependency.Name), dependency.Image, dependency.Env, dependency.Command,
            new Dictionary<string, string>
            {
                [PodliftLabels.DependencyOf] = app,
                [PodliftLabels.Dependency] = dependency.Name,
                [PodliftLabels.ConfigHash] = ConfigHash(dependency),
            },
            dependency.Port, dependency.Port, bindAddress)
        {
            Network = NetworkName(app),
            Aliases = [dependency.Name],
            Volumes = dependency.Volume.Length > 0 ? [dependency.Volume] : [],
            MemoryBytes = dependency.Options?.MemoryBytes ?? 0,
            Cpus = dependency.Options?.Cpus ?? 0,
            Restart = string.IsNullOrEmpty(dependency.Options?.Restart) ? "unless-stopped" : dependency.Options.Restart,
        };

    /// <summary>Identifies a dependency's configuration; a different hash means it must be recreated.</summary>
    public static string ConfigHash(DependencyPlan dependency)
    {
        var canonical = new StringBuilder()
            .Append(dependency.Image).Append('\n').Append(dependency.Port).Append('\n').Append(dependency.Volume).Append('\n')
            .AppendJoin('\0', dependency.Command).Append('\n')
            .AppendJoin('\n', dependency.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}")).Append('\n')
            .Append(dependency.Options?.MemoryBytes).Append('/').Append(dependency.Options?.Cpus).Append('/').Append(dependency.Options?.Restart);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..16];
    }
}

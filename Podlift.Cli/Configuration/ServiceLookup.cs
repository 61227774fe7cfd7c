using Podlift.Cli.Errors;

namespace Podlift.Cli.Configuration;

/// <summary>What `logs` and `exec` act on: a service on the servers of its role, or a dependency on the server that runs it.</summary>
public sealed record OperateTarget(string Name, bool IsDependency, IReadOnlyList<ServerConfig> Servers, int Replicas);

/// <summary>A service (or dependency) named on the command line, and the servers it runs on. Pure.</summary>
public static class ServiceLookup
{
    /// <summary>The service of that name, else the dependency; neither is a configuration error listing both.</summary>
    public static OperateTarget Target(this PodliftConfig config, string name)
    {
        if (config.Services.FirstOrDefault(s => s.Name == name) is { } service)
            return new OperateTarget(service.Name, false, config.ServersRunning(service), service.Replicas);
        if (config.Dependencies.FirstOrDefault(d => d.Name == name) is { } dependency)
            return new OperateTarget(dependency.Name, true, [config.HostOf(dependency)], 1);
        var known = config.Services.Select(s => s.Name).Concat(config.Dependencies.Select(d => d.Name)).ToList();
        var nearest = Suggestions.Nearest(name, known);
        var dependencies = config.Dependencies.Count > 0 ? $"; dependencies: {string.Join(", ", config.Dependencies.Select(d => d.Name))}" : "";
        throw new ConfigurationException(
            $"{Path.GetFileName(config.SourcePath)} has no service \"{name}\"{(nearest is null ? "" : $"; did you mean \"{nearest}\"?")} " +
            $"(services: {string.Join(", ", config.Services.Select(s => s.Name))}{dependencies})",
            $"name one of the services under `services:` (or a dependency under `dependencies:`) in {Path.GetFileName(config.SourcePath)}");
    }

    /// <summary>The servers that run the service, in configuration order.</summary>
    public static IReadOnlyList<ServerConfig> ServersRunning(this PodliftConfig config, ServiceConfig service) =>
        config.Servers.Where(server => config.ServicesOn(server).Contains(service)).ToList();
}

using Podlift.Cli.Errors;

namespace Podlift.Cli.Configuration;

/// <summary>A service named on the command line, and the servers it runs on. Pure.</summary>
public static class ServiceLookup
{
    /// <summary>The service of that name; an unknown name is a configuration error listing the known ones.</summary>
    public static ServiceConfig Service(this PodliftConfig config, string name)
    {
        var service = config.Services.FirstOrDefault(s => s.Name == name);
        if (service is not null) return service;
        var known = config.Services.Select(s => s.Name).ToList();
        var nearest = Suggestions.Nearest(name, known);
        throw new ConfigurationException(
            $"{Path.GetFileName(config.SourcePath)} has no service \"{name}\"{(nearest is null ? "" : $"; did you mean \"{nearest}\"?")} (services: {string.Join(", ", known)})",
            $"name one of the services under `services:` in {Path.GetFileName(config.SourcePath)}");
    }

    /// <summary>The servers that run the service, in configuration order.</summary>
    public static IReadOnlyList<ServerConfig> ServersRunning(this PodliftConfig config, ServiceConfig service) =>
        config.Servers.Where(server => config.ServicesOn(server).Contains(service)).ToList();
}

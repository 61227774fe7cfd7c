using Podlift.Agent.Docker;

namespace Podlift.Agent.State;

/// <summary>When state.json is lost or unreadable, the containers' labels still say what runs.</summary>
public static class StateRebuilder
{
    public static AppRecord? FromContainers(string app, IReadOnlyList<AppContainer> containers)
    {
        var byVersion = containers.Where(c => c.Version != "")
            .GroupBy(c => c.Version)
            .OrderByDescending(g => g.Any(c => c.IsRunning))
            .ThenByDescending(g => g.Max(c => c.DeployedAt ?? DateTimeOffset.MinValue))
            .ToList();
        if (byVersion.Count == 0) return null;
        var deployments = byVersion.Select(ToDeployment).Reverse().ToList();
        return new AppRecord
        {
            App = app,
            Current = deployments[^1],
            Previous = deployments.Count > 1 ? deployments[^2] : null,
            Deployments = deployments,
        };
    }

    private static DeploymentRecord ToDeployment(IGrouping<string, AppContainer> version)
    {
        var first = version.First();
        return new DeploymentRecord
        {
            Version = version.Key,
            Image = "",
            DeployId = first.DeployId,
            DeployedAt = first.DeployedAt ?? DateTimeOffset.MinValue,
            DeployedBy = first.DeployedBy,
            Containers = version.Select(c => new ContainerRecord(c.Name, c.Id, c.Service, c.Replica, c.HostPort)).ToList(),
        };
    }
}

using Podlift.Agent.Docker;

namespace Podlift.Agent.Deploy;

/// <summary>Which stopped containers to delete: all but those of the newest versions (the rollback targets).</summary>
public static class RetentionPolicy
{
    public const int DefaultVersionsKept = 3;

    public static IReadOnlyList<AppContainer> SelectForRemoval(IEnumerable<AppContainer> containers, int versionsKept)
    {
        var all = containers.ToList();
        var kept = all.GroupBy(c => c.Version)
            .OrderByDescending(g => g.Max(c => c.DeployedAt ?? DateTimeOffset.MinValue))
            .Take(versionsKept)
            .Select(g => g.Key)
            .ToHashSet();
        return all.Where(c => !c.IsRunning && !kept.Contains(c.Version)).ToList();
    }
}

using Podlift.Agent.Docker;

namespace Podlift.Agent.Deploy;

/// <summary>Which stopped containers to delete: all but those of the newest versions and of the protected ones (current, rollback target).</summary>
public static class RetentionPolicy
{
    public const int DefaultVersionsKept = Podlift.Protocol.PlanDefaults.VersionsKept;

    public static IReadOnlyList<AppContainer> SelectForRemoval(IEnumerable<AppContainer> containers, int versionsKept) =>
        SelectForRemoval(containers, versionsKept, new HashSet<string>());

    public static IReadOnlyList<AppContainer> SelectForRemoval(IEnumerable<AppContainer> containers, int versionsKept, IReadOnlySet<string> protectedVersions)
    {
        var all = containers.ToList();
        var kept = all.GroupBy(c => c.Version)
            .OrderByDescending(g => g.Max(c => c.DeployedAt ?? DateTimeOffset.MinValue))
            .Take(versionsKept)
            .Select(g => g.Key)
            .Concat(protectedVersions)
            .ToHashSet();
        return all.Where(c => !c.IsRunning && !kept.Contains(c.Version)).ToList();
    }
}

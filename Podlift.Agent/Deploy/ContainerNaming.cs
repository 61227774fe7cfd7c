using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>One docker rename.</summary>
public sealed record Rename(string Id, string From, string To);

/// <summary>
/// Gives an app's containers the names they must carry: the live ones the stable
/// &lt;app&gt;-&lt;service&gt;-&lt;n&gt;, every other its versioned name (<see cref="ContainerNames"/>). Pure: it returns the
/// renames in an order where no rename takes a name another container still holds.
/// </summary>
public static class ContainerNaming
{
    public static IReadOnlyList<Rename> Plan(IReadOnlyList<AppContainer> containers, IReadOnlySet<string> liveIds)
    {
        var desired = Desired(containers, liveIds);
        var held = containers.ToDictionary(c => c.Name, c => c.Id);
        var current = containers.ToDictionary(c => c.Id, c => c.Name);
        var pending = containers.Where(c => desired[c.Id] != c.Name).Select(c => c.Id).ToList();
        var renames = new List<Rename>();
        while (pending.Count > 0)
        {
            var free = pending.FirstOrDefault(id => !held.ContainsKey(desired[id]));
            if (free is null)
            {
                // a cycle (two containers wanting each other's names): park one under a name no one wants
                var parked = pending[0];
                Move(parked, $"{current[parked]}-renaming");
                continue;
            }
            Move(free, desired[free]);
            pending.Remove(free);
        }
        return renames;

        void Move(string id, string to)
        {
            renames.Add(new Rename(id, current[id], to));
            held.Remove(current[id]);
            held[to] = id;
            current[id] = to;
        }
    }

    /// <summary>The containers of the version that serves: one per service and replica (<see cref="Operate.ServiceContainers.Select"/>).</summary>
    public static IReadOnlySet<string> LiveIds(string version, IReadOnlyList<AppContainer> containers) =>
        containers.Where(c => c.Version == version).Select(c => c.Service).Distinct()
            .SelectMany(service => Operate.ServiceContainers.Select(version, service, containers)).Select(c => c.Id).ToHashSet();

    /// <summary>Each container's name; two that would share one (a replica twice) keep theirs apart with a suffix.</summary>
    private static Dictionary<string, string> Desired(IReadOnlyList<AppContainer> containers, IReadOnlySet<string> liveIds)
    {
        var desired = new Dictionary<string, string>();
        var taken = new HashSet<string>();
        // live containers first, so they get the stable names whatever else is there
        foreach (var container in containers.OrderByDescending(c => liveIds.Contains(c.Id)).ThenByDescending(c => c.IsRunning).ThenBy(c => c.Id, StringComparer.Ordinal))
        {
            var name = liveIds.Contains(container.Id)
                ? ContainerNames.Live(container.App, container.Service, container.Replica)
                : ContainerNames.For(container.App, container.Service, container.Version, container.Replica);
            if (!taken.Add(name)) taken.Add(name = $"{name}-{container.Id[..Math.Min(12, container.Id.Length)]}");
            desired[container.Id] = name;
        }
        return desired;
    }
}

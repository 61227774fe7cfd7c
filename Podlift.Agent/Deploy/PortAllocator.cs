namespace Podlift.Agent.Deploy;

/// <summary>
/// Picks host ports for new containers. Ports any container (running or stopped: it may be started again)
/// has bound are never reused, and a port something else listens on is skipped.
/// </summary>
public static class PortAllocator
{
    public const int FirstPort = 20000;
    public const int LastPort = 29999;

    public static IReadOnlyList<int> Allocate(int count, IReadOnlySet<int> boundByContainers, Func<int, bool> isFree,
        int first = FirstPort, int last = LastPort)
    {
        var ports = new List<int>(count);
        for (var port = first; port <= last && ports.Count < count; port++)
            if (!boundByContainers.Contains(port) && isFree(port))
                ports.Add(port);
        if (ports.Count < count)
            throw new InvalidOperationException($"no free host port left in {first}-{last} for {count} new containers");
        return ports;
    }
}

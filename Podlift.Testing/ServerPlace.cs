namespace Podlift.Testing;

/// <summary>
/// Where one set of test servers lives on this machine, as deploy/testing/test-servers/servers.sh takes it:
/// the name prefix of its containers, network and ssh aliases; its /24 subnet (server I at .(10+I)); its
/// loopback ports (nginx of server I on HttpPortBase+I, HTTPS on HttpPortBase+50+I). Sets that run at the
/// same time need places that do not overlap.
/// </summary>
public sealed record ServerPlace(string Prefix, string Subnet, int HttpPortBase)
{
    /// <summary>How many servers a place is laid out for: its addresses and ports are taken for that many.</summary>
    public const int MaxServers = 9;

    private const int HttpsOffset = 50; // servers.sh: HTTPS_PORT_BASE defaults to HTTP_PORT_BASE + 50

    /// <summary>The bench's servers (PREFIX, SUBNET and HTTP_PORT_BASE override it): a place no end-to-end fixture takes, in any slot.</summary>
    public static ServerPlace Bench { get; } = new("bench", "10.120.1", 17800);

    /// <summary>PODLIFT_E2E_SLOT=N: the slot this checkout's servers take, 0 when unset.</summary>
    public static int SlotFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("PODLIFT_E2E_SLOT"), out var slot) && slot > 0 ? slot : 0;

    /// <summary>
    /// This place moved to slot N, so that several checkouts run their suites at once without sharing servers:
    /// the prefix gets N appended, the subnet's second octet N×10 added, the ports N×1000.
    /// </summary>
    public ServerPlace InSlot(int slot)
    {
        if (slot <= 0) return this;
        var octets = Subnet.Split('.');
        return new ServerPlace(Prefix + slot, $"{octets[0]}.{int.Parse(octets[1]) + slot * 10}.{octets[2]}", HttpPortBase + slot * 1000);
    }

    public IEnumerable<int> Ports =>
        Enumerable.Range(HttpPortBase + 1, MaxServers).Concat(Enumerable.Range(HttpPortBase + HttpsOffset + 1, MaxServers));

    /// <summary>Whether two sets of servers on these places could not run at the same time.</summary>
    public bool Overlaps(ServerPlace other) => Prefix == other.Prefix || Subnet == other.Subnet || Ports.Intersect(other.Ports).Any();

    public override string ToString() => $"{Prefix} ({Subnet}.0/24, ports from {HttpPortBase})";
}

using System.Globalization;

namespace Podlift.Agent.Proxy;

/// <summary>Reads the kernel's view of in-flight work: connections to backends. Parsing is pure; the reader touches /proc.</summary>
public static class DrainProbe
{
    private const string Established = "01";

    /// <summary>Counts ESTABLISHED connections whose remote port is one of <paramref name="ports"/> in /proc/net/tcp text.</summary>
    public static int CountConnectionsTo(string procNetTcp, IReadOnlySet<int> ports)
    {
        var count = 0;
        foreach (var line in procNetTcp.Split('\n').Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[3] != Established) continue;
            var remote = fields[2];
            var colon = remote.LastIndexOf(':');
            if (colon < 0) continue;
            if (int.TryParse(remote[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port) && ports.Contains(port))
                count++;
        }
        return count;
    }

    /// <summary>Counts ESTABLISHED connections to any of <paramref name="endpoints"/> (IPv4 address and port) in /proc/net/tcp text.</summary>
    public static int CountConnectionsTo(string procNetTcp, IReadOnlySet<System.Net.IPEndPoint> endpoints)
    {
        var count = 0;
        foreach (var line in procNetTcp.Split('\n').Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[3] != Established) continue;
            if (ParseEndpoint(fields[2]) is { } remote && endpoints.Contains(remote)) count++;
        }
        return count;
    }

    /// <summary>/proc/net/tcp writes an IPv4 endpoint as little-endian hex address, colon, hex port: 0100007F:4E21.</summary>
    public static System.Net.IPEndPoint? ParseEndpoint(string text)
    {
        var colon = text.IndexOf(':');
        if (colon != 8
            || !uint.TryParse(text[..colon], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address)
            || !int.TryParse(text[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
            return null;
        return new System.Net.IPEndPoint(new System.Net.IPAddress(address), port);
    }

    public static int ConnectionsTo(IReadOnlySet<System.Net.IPEndPoint> endpoints)
    {
        try { return CountConnectionsTo(File.ReadAllText("/proc/net/tcp"), endpoints); }
        catch (IOException) { return 0; }
    }
}

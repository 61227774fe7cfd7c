using System.Net;

namespace Podlift.Agent.Machine;

/// <summary>Turns the server names of podlift.yml into addresses (Docker's --add-host and drain matching need IPs).</summary>
public static class HostAddresses
{
    public static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var address)) return address;
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.First();
    }
}

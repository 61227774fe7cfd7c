using System.Globalization;
using Podlift.Testing;

namespace Podlift.Bench;

/// <summary>
/// LINK_MBIT=N: what this machine sends to the bench's servers goes through a link of N Mbit/s, as from a laptop's uplink,
/// instead of at loopback speed, where the CLI, both Docker engines and the servers share this machine's cores and a
/// transfer is bound by CPU. A token bucket (tc's tbf) on the servers' bridge, where this machine's packets to them
/// leave; what they send back is not limited. The bridge goes with the servers, and the bucket with it.
/// </summary>
public static class Link
{
    public static readonly int? Mbit = int.TryParse(Environment.GetEnvironmentVariable("LINK_MBIT"), out var mbit) && mbit > 0 ? mbit : null;

    /// <summary>Limits the link to the servers whose gateway (this machine's address on their bridge) is <paramref name="gateway"/>; a fact for the report.</summary>
    public static async Task<string> LimitAsync(string gateway, int mbit)
    {
        var device = (await Shell.MustAsync("ip", "-o", "-4", "addr", "show", "to", $"{gateway}/32")).Output.Split(' ', StringSplitOptions.RemoveEmptyEntries) switch
        {
            [_, var name, ..] => name,
            _ => throw new InvalidOperationException($"no interface of this machine has the servers' gateway {gateway}"),
        };
        // the bucket holds 10 ms of the rate (tbf needs at least one timer tick's worth); packets wait in it up to 50 ms
        var burstBytes = Math.Max(32 * 1024, mbit * 1_000_000 / 8 / 100);
        await Shell.MustAsync("tc", "qdisc", "replace", "dev", device, "root", "tbf",
            "rate", $"{mbit}mbit", "burst", burstBytes.ToString(CultureInfo.InvariantCulture), "latency", "50ms");
        return $"{mbit} Mbit/s from this machine to the servers (tc tbf on {device}, LINK_MBIT)";
    }
}

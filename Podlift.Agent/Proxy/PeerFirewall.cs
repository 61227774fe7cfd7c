using System.Net;
using Podlift.Agent.Host;

namespace Podlift.Agent.Proxy;

/// <summary>
/// With several servers, container ports are published on all interfaces so the primary's nginx (and
/// workers, for dependencies) can reach them. This keeps them from the rest of the world: in Docker's
/// DOCKER-USER chain, podlift's own chain lets through the app's other servers and the host's Docker
/// bridges, and drops new connections from anywhere else to podlift's port range and dependency ports.
/// </summary>
public sealed class PeerFirewall(IProcessRunner processes, ILogger<PeerFirewall> log)
{
    private const string Chain = "PODLIFT-PEERS";

    /// <summary>The iptables commands that make the chain; pure, so the rules are reviewable and tested.</summary>
    public static IReadOnlyList<string[]> Rules(IEnumerable<IPAddress> peers, IEnumerable<int> dependencyPorts, int firstPort, int lastPort)
    {
        var rules = new List<string[]>
        {
            new[] { "-F", Chain },
            new[] { "-A", Chain, "-i", "docker0", "-j", "RETURN" },
            new[] { "-A", Chain, "-i", "br-+", "-j", "RETURN" },
            new[] { "-A", Chain, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN" },
        };
        rules.AddRange(peers.Where(p => p.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Distinct()
            .Select(peer => new[] { "-A", Chain, "-s", peer.ToString(), "-j", "RETURN" }));
        rules.Add(["-A", Chain, "-p", "tcp", "-m", "conntrack", "--ctorigdstport", $"{firstPort}:{lastPort}", "-j", "DROP"]);
        rules.AddRange(dependencyPorts.Distinct().Select(port => new[] { "-A", Chain, "-p", "tcp", "-m", "conntrack", "--ctorigdstport", port.ToString(), "-j", "DROP" }));
        return rules;
    }

    /// <summary>Applies the rules; returns a description of what was done, or why it could not be.</summary>
    public async Task<string> ApplyAsync(IReadOnlyList<IPAddress> peers, IEnumerable<int> dependencyPorts, CancellationToken cancellationToken)
    {
        try
        {
            await processes.RunAsync("iptables", ["-N", Chain], cancellationToken); // fails harmlessly when it exists
            foreach (var rule in Rules(peers, dependencyPorts, Deploy.PortAllocator.FirstPort, Deploy.PortAllocator.LastPort))
            {
                var result = await processes.RunAsync("iptables", rule, cancellationToken);
                if (!result.Succeeded) return $"firewall not applied: iptables {string.Join(' ', rule)}: {result.CombinedOutput}";
            }
            if (!(await processes.RunAsync("iptables", ["-C", "DOCKER-USER", "-j", Chain], cancellationToken)).Succeeded)
            {
                var jump = await processes.RunAsync("iptables", ["-I", "DOCKER-USER", "-j", Chain], cancellationToken);
                if (!jump.Succeeded) return $"firewall not applied: {jump.CombinedOutput}";
            }
            return $"container ports reachable only from {string.Join(", ", peers)} (iptables {Chain})";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            log.LogWarning("iptables not found: container ports of {Peers} are not restricted", peers);
            return "firewall not applied: iptables not found";
        }
    }
}

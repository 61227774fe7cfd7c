using System.Net;
using Podlift.Agent.Proxy;

namespace Podlift.Tests.Unit;

public class PeerFirewallTests
{
    private const string Chain = "PODLIFT-PEERS";

    private static List<string> Rules(string[] peers, int[] dependencyPorts) =>
        PeerFirewall.Rules(peers.Select(IPAddress.Parse), dependencyPorts, 20000, 29999).Select(rule => string.Join(' ', rule)).ToList();

    [Test]
    public void The_chain_is_flushed_first_then_only_appended_to()
    {
        var rules = Rules(["10.0.0.2"], [5432]);

        Assert.That(rules[0], Is.EqualTo($"-F {Chain}"));
        Assert.That(rules.Skip(1), Has.All.StartWith($"-A {Chain} "));
    }

    [Test]
    public void Docker_bridges_and_established_connections_are_let_through()
    {
        var rules = Rules([], []);

        Assert.That(rules.Take(4), Is.EqualTo(new[]
        {
            $"-F {Chain}",
            $"-A {Chain} -i docker0 -j RETURN",
            $"-A {Chain} -i br-+ -j RETURN",
            $"-A {Chain} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
        }));
    }

    [Test]
    public void Each_ipv4_peer_is_let_through_once()
    {
        var rules = Rules(["10.0.0.2", "10.0.0.3", "10.0.0.2"], []);

        Assert.That(rules.Where(r => r.Contains(" -s ")), Is.EqualTo(new[]
        {
            $"-A {Chain} -s 10.0.0.2 -j RETURN",
            $"-A {Chain} -s 10.0.0.3 -j RETURN",
        }));
    }

    [Test]
    public void Ipv6_peers_are_skipped()
    {
        var rules = Rules(["fd00::2", "10.0.0.2", "2001:db8::1"], []);

        Assert.That(rules.Where(r => r.Contains(" -s ")), Is.EqualTo(new[] { $"-A {Chain} -s 10.0.0.2 -j RETURN" }));
        Assert.That(rules, Has.None.Contain("fd00").And.None.Contain("2001:db8"));
    }

    [Test]
    public void New_connections_to_the_port_range_and_each_dependency_port_are_dropped()
    {
        var rules = Rules(["10.0.0.2"], [5432, 6379, 5432]);

        Assert.That(rules.Where(r => r.EndsWith("-j DROP")), Is.EqualTo(new[]
        {
            $"-A {Chain} -p tcp -m conntrack --ctorigdstport 20000:29999 -j DROP",
            $"-A {Chain} -p tcp -m conntrack --ctorigdstport 5432 -j DROP",
            $"-A {Chain} -p tcp -m conntrack --ctorigdstport 6379 -j DROP",
        }));
    }

    [Test]
    public void Every_exception_comes_before_the_first_drop()
    {
        var rules = Rules(["10.0.0.2", "10.0.0.3"], [5432]);

        var lastReturn = rules.FindLastIndex(r => r.EndsWith("-j RETURN"));
        var firstDrop = rules.FindIndex(r => r.EndsWith("-j DROP"));
        Assert.That(firstDrop, Is.GreaterThan(lastReturn));
        Assert.That(rules, Has.Count.EqualTo(1 + 3 + 2 + 2));
    }

    [Test]
    public void Without_peers_the_range_is_still_dropped()
    {
        Assert.That(Rules([], []), Has.Exactly(1).EndsWith("--ctorigdstport 20000:29999 -j DROP"));
    }
}

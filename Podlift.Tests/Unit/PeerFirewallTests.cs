using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Machine;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

public class PeerFirewallTests
{
    private static string[] Lines(string app, string[] peers, int[] ports) =>
        PeerFirewall.RestoreInput(app, peers.Select(IPAddress.Parse), ports).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Test]
    public void Each_app_has_its_own_chain_replaced_whole_by_one_restore()
    {
        var lines = Lines("shop", ["10.0.0.2"], [20001]);

        Assert.That(lines[0], Is.EqualTo("*filter"));
        Assert.That(lines[1], Is.EqualTo(":PODLIFT-shop - [0:0]"), "--noflush flushes only the chains the input declares");
        Assert.That(lines[^1], Is.EqualTo("COMMIT"));
        Assert.That(lines[2..^1], Has.All.StartWith("-A PODLIFT-shop "));
        Assert.That(string.Join('\n', lines), Does.Not.Contain("DOCKER-USER").And.Not.Contain("PODLIFT-PEERS"), "another app's chain and the jumps are never touched");
    }

    [Test]
    public void Docker_bridges_established_connections_and_peers_pass_before_any_drop()
    {
        var lines = Lines("shop", ["10.0.0.2", "10.0.0.3", "10.0.0.2", "fd00::2"], [5432, 20001]);

        Assert.That(lines[2..7], Is.EqualTo(new[]
        {
            "-A PODLIFT-shop -i docker0 -j RETURN",
            "-A PODLIFT-shop -i br-+ -j RETURN",
            "-A PODLIFT-shop -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
            "-A PODLIFT-shop -s 10.0.0.2 -j RETURN",
            "-A PODLIFT-shop -s 10.0.0.3 -j RETURN",
        }));
        Assert.That(lines, Has.None.Contain("fd00"), "iptables is IPv4 only");
    }

    [Test]
    public void Only_the_apps_own_ports_are_dropped_so_its_peers_do_not_block_another_apps_peers()
    {
        var lines = Lines("shop", ["10.0.0.2"], [20003, 5432, 20001, 20003, 0]);

        Assert.That(lines.Where(l => l.EndsWith("-j DROP")), Is.EqualTo(new[]
        {
            "-A PODLIFT-shop -p tcp -m conntrack --ctorigdstport 5432 -j DROP",
            "-A PODLIFT-shop -p tcp -m conntrack --ctorigdstport 20001 -j DROP",
            "-A PODLIFT-shop -p tcp -m conntrack --ctorigdstport 20003 -j DROP",
        }));
        Assert.That(lines, Has.None.Contain("20000:29999"), "a range would also drop the ports of every other app on the server");
    }

    [TestCase("shop", "PODLIFT-shop")]
    [TestCase("a-very-long-application-name", "PODLIFT-a-very-long-a-")]
    public void Chain_names_fit_in_iptables_28_characters(string app, string prefix)
    {
        var chain = PeerFirewall.ChainFor(app);

        Assert.That(chain, Does.StartWith(prefix));
        Assert.That(chain.Length, Is.LessThanOrEqualTo(28));
        Assert.That(PeerFirewall.ChainFor(app + "2"), Is.Not.EqualTo(chain), "two long names stay apart");
    }

    [Test]
    public async Task Applying_loads_the_chain_then_jumps_to_it_once_and_retires_the_old_shared_chain()
    {
        using var dir = new TempDirectory();
        var processes = new FakeProcessRunner((file, args) => args is ["-C", ..] ? FakeProcessRunner.Fail("no such rule") : FakeProcessRunner.Ok);
        var firewall = new PeerFirewall(processes, new StateStore(dir.Path), NullLogger<PeerFirewall>.Instance);

        await firewall.ApplyAsync("shop", [IPAddress.Parse("10.0.0.2")], [20001], CancellationToken.None);

        var rules = dir.PathOf("shop/firewall.rules");
        Assert.That(processes.Calls, Is.EqualTo(new[]
        {
            "iptables -N DOCKER-USER",
            $"iptables-restore --noflush {rules}",
            "iptables -C DOCKER-USER -j PODLIFT-shop",
            "iptables -I DOCKER-USER -j PODLIFT-shop",
            "iptables -D DOCKER-USER -j PODLIFT-PEERS",
            "iptables -F PODLIFT-PEERS",
            "iptables -X PODLIFT-PEERS",
        }));
        Assert.That(File.ReadAllText(rules), Is.EqualTo(PeerFirewall.RestoreInput("shop", [IPAddress.Parse("10.0.0.2")], [20001])), "kept for the agent's next start");
    }

    [Test]
    public void A_rule_that_cannot_be_applied_stops_the_deploy_instead_of_publishing_unprotected()
    {
        using var dir = new TempDirectory();
        var processes = new FakeProcessRunner((file, _) => file == "iptables-restore" ? new ProcessResult(2, "", "iptables-restore: line 5 failed") : FakeProcessRunner.Ok);
        var firewall = new PeerFirewall(processes, new StateStore(dir.Path), NullLogger<PeerFirewall>.Instance);

        var error = Assert.ThrowsAsync<FirewallException>(() => firewall.ApplyAsync("shop", [], [20001], CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("iptables-restore --noflush").And.Contain("line 5 failed"));
    }
}

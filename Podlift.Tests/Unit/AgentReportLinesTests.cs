using Podlift.Cli;
using Podlift.Cli.Commands;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class AgentReportLinesTests
{
    private static readonly ServerConfig Server = new("10.0.0.1", "root", 22, null, [], []);
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static HelloReply Hello(params ActiveDeploy[] deploys)
    {
        var hello = new HelloReply
        {
            ProtocolVersion = AgentProtocol.Version, AgentVersion = "0.1.0", DockerVersion = "26.1.5", DockerApiVersion = "1.45",
            NginxVersion = "1.26.3", UptimeSeconds = 3 * 3600 + 5, DiskFreeBytes = 12L << 30, Capabilities = { Capabilities.Supported },
        };
        hello.ActiveDeploys.AddRange(deploys);
        return hello;
    }

    [Test]
    public void Status_of_an_idle_agent()
    {
        var lines = AgentStatusCommand.Lines(new AgentReport(Server, Hello(), null, null), Now).ToList();

        Assert.That(lines, Is.EqualTo(new[]
        {
            "✓ 10.0.0.1: podlift-agent 0.1.0, up 3h, Docker 26.1.5 (API 1.45), nginx 1.26.3, 12.00 GB free",
            "    no deploy running",
        }));
    }

    [Test]
    public void Status_shows_running_deploys()
    {
        var deploy = new ActiveDeploy
        {
            App = "shop", Version = "abc1234", DeployId = "20250301T115900Z-abc1234", DeployedBy = "ana",
            StartedAtUnixMilliseconds = Now.AddSeconds(-42).ToUnixTimeMilliseconds(), Step = DeployStep.Switch,
        };

        var lines = AgentStatusCommand.Lines(new AgentReport(Server, Hello(deploy), null, null), Now).ToList();

        Assert.That(lines[1], Is.EqualTo("    deploying shop abc1234 by ana for 42s (now: Update nginx; deploy id 20250301T115900Z-abc1234)"));
    }

    [Test]
    public void Status_of_an_agent_from_before_capabilities_says_so_and_does_not_claim_it_runs_no_deploy()
    {
        var old = Hello();
        old.Capabilities.Clear();

        var lines = AgentStatusCommand.Lines(new AgentReport(Server, old, null, null), Now).ToList();

        Assert.That(lines, Is.EqualTo(new[]
        {
            "✓ 10.0.0.1: podlift-agent 0.1.0, up 3h, Docker 26.1.5 (API 1.45), nginx 1.26.3, 12.00 GB free",
            $"    ⚠ from before capabilities, it lacks every one this podlift ({CliVersion.Current}) checks for: run `podlift agent install` to upgrade it in place",
            "    running deploys: this agent does not report them",
        }));
    }

    [Test]
    public void Status_names_the_capabilities_an_agent_lacks()
    {
        var older = Hello();
        older.Capabilities.Remove(Capabilities.HookEnvironment);
        older.Capabilities.Remove(Capabilities.DependencyHosts);

        var lines = AgentStatusCommand.Lines(new AgentReport(Server, older, null, null), Now).ToList();

        Assert.That(lines[1], Is.EqualTo($"    ⚠ lacks hook-environment, dependency-hosts of this podlift ({CliVersion.Current}): run `podlift agent install` to upgrade it in place"));
        Assert.That(lines[2], Is.EqualTo("    no deploy running"));
    }

    [Test]
    public void Status_says_why_an_agent_does_not_answer()
    {
        var silent = new ConnectionException("10.0.0.1: no podlift-agent answers on /run/podlift/agent.sock");
        string Line(RemoteAgentProbe? probe) => AgentStatusCommand.Lines(new AgentReport(Server, null, silent, probe), Now).Single();

        Assert.That(Line(new RemoteAgentProbe("x86_64", "root", null, null, null, false, true)), Does.Contain("not installed"));
        Assert.That(Line(new RemoteAgentProbe("x86_64", "root", "ab", "0.1.0", "cd", false, true)), Does.Contain("installed but not running"));
        Assert.That(Line(new RemoteAgentProbe("x86_64", "root", "ab", "0.1.0", "cd", true, true)), Does.Contain("does not answer"));
        Assert.That(AgentStatusCommand.Lines(new AgentReport(Server, null, new ConnectionException("10.0.0.1: cannot reach sshd"), null), Now).Single(),
            Is.EqualTo("✗ 10.0.0.1: cannot reach sshd"));
    }

    [Test]
    public void Status_flags_an_agent_of_another_protocol()
    {
        var old = Hello();
        old.ProtocolVersion = AgentProtocol.Version + 1;

        var line = AgentStatusCommand.Lines(new AgentReport(Server, old, null, null), Now).Single();

        Assert.That(line, Does.StartWith("✗ 10.0.0.1: podlift-agent 0.1.0 speaks protocol").And.Contain("podlift agent install"));
    }

    [Test]
    public void Version_lists_each_agent_or_why_there_is_none()
    {
        var reports = new[]
        {
            new AgentReport(Server, Hello(), null, null),
            new AgentReport(Server with { Host = "10.0.0.2" }, null, new ConnectionException("10.0.0.2: cannot reach sshd (No route to host)"), null),
        };

        Assert.That(VersionCommand.AgentLines(reports), Is.EqualTo(new[]
        {
            "agents:",
            "  10.0.0.1: podlift-agent 0.1.0",
            "  10.0.0.2: cannot reach sshd (No route to host)",
        }));
    }

    [Test]
    public void Version_notes_an_agent_that_lacks_capabilities()
    {
        var old = Hello();
        old.Capabilities.Clear();

        Assert.That(VersionCommand.AgentLines([new AgentReport(Server, old, null, null)]).Last(),
            Is.EqualTo($"  10.0.0.1: podlift-agent 0.1.0 (from before capabilities, it lacks every one this podlift ({CliVersion.Current}) checks for: run `podlift agent install` to upgrade it in place)"));
    }

    [Test]
    public void Version_shows_this_cli_runtime_and_platform()
    {
        var lines = VersionCommand.LocalLines(CliVersion.Current, ".NET 10.0.1", "Debian GNU/Linux 12 (bookworm)", "linux-x64").ToList();

        Assert.That(lines[0], Is.EqualTo($"podlift  {CliVersion.Current}"));
        Assert.That(lines[1], Is.EqualTo("runtime  .NET 10.0.1"));
        Assert.That(lines[2], Is.EqualTo("os/arch  Debian GNU/Linux 12 (bookworm) (linux-x64)"));
    }
}

using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class AgentUninstallPlanTests
{
    [TestCase("result=removed\n", AgentUninstallOutcome.Removed)]
    [TestCase("result=not-installed\n", AgentUninstallOutcome.NotInstalled)]
    [TestCase("noise\nresult=removed\n", AgentUninstallOutcome.Removed)]
    [TestCase("result=installed\n", AgentUninstallOutcome.Installed)]
    [TestCase("", AgentUninstallOutcome.Unknown)]
    [TestCase("result=maybe\n", AgentUninstallOutcome.Unknown)]
    public void The_scripts_last_word_is_the_outcome(string output, AgentUninstallOutcome expected) =>
        Assert.That(AgentUninstallPlan.Parse(output), Is.EqualTo(expected));

    [Test]
    public void The_script_removes_the_agent_only()
    {
        var script = AgentUninstallPlan.Script;

        Assert.That(script, Does.Contain("systemctl disable --now").And.Contain("rm -f \"$unit\"").And.Contain("/run/podlift"));
        Assert.That(script, Does.Not.Contain("/var/lib/podlift"), "state and journals stay");
        Assert.That(script, Does.Not.Contain("nginx"), "nginx keeps serving the apps");
        Assert.That(script, Does.Not.Contain("docker"), "containers stay");
    }

    [Test]
    public void The_dry_run_probe_asks_what_the_script_checks_and_changes_nothing()
    {
        var probe = AgentUninstallPlan.Probe;
        var check = probe[..probe.IndexOf("echo \"result=installed\"", StringComparison.Ordinal)];

        Assert.That(AgentUninstallPlan.Script, Does.StartWith(check), "one check, shared");
        Assert.That(probe, Does.Contain("result=not-installed").And.EndWith("echo \"result=installed\""));
        Assert.That(probe, Does.Not.Contain("systemctl").And.Not.Contain("rm "), "a probe, not a removal");
    }
}

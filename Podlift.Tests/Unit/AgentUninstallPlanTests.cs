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

    [Test]
    public void The_script_removes_the_podlift_group_only_where_it_removed_the_agent()
    {
        var script = AgentUninstallPlan.Script;
        var notInstalledExit = script.IndexOf("exit 0", StringComparison.Ordinal);

        Assert.That(script, Does.Contain("groupdel podlift"));
        Assert.That(script.IndexOf("groupdel", StringComparison.Ordinal), Is.GreaterThan(notInstalledExit), "a server without the agent is left as it is");
        Assert.That(script, Does.Contain("getent group podlift"), "the members are reported before the group goes");
    }

    [Test]
    public void A_removed_group_is_reported_with_the_members_it_had()
    {
        var group = AgentUninstallPlan.ParseGroup("group_members=alice,bob\ngroup=removed\nresult=removed\n");

        Assert.That(group, Is.EqualTo(new UninstalledGroup(true, true, group.Members)));
        Assert.That(group.Members, Is.EqualTo(new[] { "alice", "bob" }));
        Assert.That(AgentUninstallPlan.Describe(group), Is.EqualTo("the podlift group removed (its members were alice, bob)"));
    }

    [Test]
    public void A_group_without_members_is_reported_plainly() =>
        Assert.That(AgentUninstallPlan.Describe(AgentUninstallPlan.ParseGroup("group_members=\ngroup=removed\nresult=removed\n")),
            Is.EqualTo("the podlift group removed"));

    [Test]
    public void A_group_groupdel_refused_says_why_and_what_its_members_keep()
    {
        var group = AgentUninstallPlan.ParseGroup(
            "group_members=alice\ngroup=kept\ngroup_error=groupdel: cannot remove the primary group of user 'podlift'\nresult=removed\n");

        Assert.That(group.Removed, Is.False);
        Assert.That(AgentUninstallPlan.Describe(group), Is.EqualTo(
            "the podlift group kept (its members were alice): groupdel: cannot remove the primary group of user 'podlift'; " +
            "its members reach the socket of any agent installed later"));
    }

    [Test]
    public void No_group_no_word_about_it()
    {
        var group = AgentUninstallPlan.ParseGroup("result=not-installed\n");

        Assert.That(group, Is.EqualTo(UninstalledGroup.None));
        Assert.That(AgentUninstallPlan.Describe(group), Is.Null);
    }
}

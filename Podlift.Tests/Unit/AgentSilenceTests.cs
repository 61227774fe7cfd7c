using NUnit.Framework;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class AgentSilenceTests
{
    private const string Host = "10.0.0.1";
    private static readonly SshTarget Root = new(Host, "root", Host, 22);
    private static readonly SshTarget Deploy = new(Host, "deploy", Host, 22);

    [TestCase("activating")]
    [TestCase("active")]
    [TestCase("deactivating")]
    public void An_agent_systemd_is_starting_or_restarting_is_asked_again_while_time_is_left(string state)
    {
        var verdict = AgentSilence.Judge(Host, Root, $"state={state}\ninstalled=yes\nsocket=missing\n", timeLeft: true);

        Assert.That((verdict.AskAgain, verdict.Error), Is.EqualTo((true, (Podlift.Cli.Errors.ConnectionException?)null)));
    }

    [Test]
    public void One_that_stays_silent_past_the_bound_is_named_with_its_state_and_the_journal()
    {
        var verdict = AgentSilence.Judge(Host, Root, "state=activating\ninstalled=yes\nsocket=writable\n", timeLeft: false);

        Assert.That(verdict.AskAgain, Is.False);
        Assert.That(verdict.Error!.Message, Is.EqualTo($"{Host}: podlift-agent is activating but did not answer on /run/podlift/agent.sock within 15s"));
        Assert.That(verdict.Error.Fix, Does.Contain("journalctl -u podlift-agent"));
    }

    [TestCase("inactive")]
    [TestCase("failed")]
    public void A_stopped_or_failed_agent_is_said_to_be_installed_but_not_running_at_once(string state)
    {
        var verdict = AgentSilence.Judge(Host, Root, $"state={state}\ninstalled=yes\nsocket=missing\n", timeLeft: true);

        Assert.That(verdict.AskAgain, Is.False);
        Assert.That(verdict.Error!.Message, Is.EqualTo($"{Host}: podlift-agent is installed but not running (systemd: {state})"));
        Assert.That(verdict.Error.Fix, Does.Contain("journalctl -u podlift-agent").And.Contain("podlift agent install"));
        Assert.That(verdict.Error.ExitCode, Is.EqualTo(Podlift.Cli.Errors.ExitCode.Connection));
    }

    [Test]
    public void No_unit_file_means_not_installed_and_says_how_to_install()
    {
        var verdict = AgentSilence.Judge(Host, Root, "state=inactive\nsocket=missing\n", timeLeft: true);

        Assert.That(verdict.AskAgain, Is.False);
        Assert.That(verdict.Error!.Message, Is.EqualTo($"{Host}: no podlift-agent answers on /run/podlift/agent.sock"));
        Assert.That(verdict.Error.Fix, Is.EqualTo("install it with `podlift agent install`"));
    }

    [Test]
    public void A_login_outside_the_podlift_group_is_told_so_instead_of_waiting()
    {
        var verdict = AgentSilence.Judge(Host, Deploy, "state=active\ninstalled=yes\nsocket=denied\n", timeLeft: true);

        Assert.That(verdict.AskAgain, Is.False);
        Assert.That(verdict.Error!.Message, Does.Contain("deploy may not open the agent's socket"));
        Assert.That(verdict.Error.Fix, Is.EqualTo("`podlift agent install` adds deploy to the podlift group"));
    }

    [Test]
    public void Root_is_never_refused_for_the_socket_group()
    {
        var verdict = AgentSilence.Judge(Host, Root, "state=active\ninstalled=yes\nsocket=denied\n", timeLeft: true);

        Assert.That(verdict.AskAgain, Is.True);
    }
}

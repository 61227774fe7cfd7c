using Podlift.Cli;
using Podlift.Cli.Commands;
using Podlift.Cli.Errors;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class CapabilityCheckTests
{
    private static HelloReply Agent(string version, params string[] capabilities) =>
        new() { ProtocolVersion = AgentProtocol.Version, AgentVersion = version, Capabilities = { capabilities } };

    private static readonly CapabilityNeed HookEnvironment = new(Capabilities.HookEnvironment, "hooks that name ${DB_PASSWORD}");
    private static readonly CapabilityNeed DependencyHosts = new(Capabilities.DependencyHosts, "dependencies that run on another server");
    private static readonly CapabilityNeed LayerDelta = new(Capabilities.LayerDelta, "only the layers it lacks", "the whole image is sent");

    [Test]
    public void An_agent_with_every_capability_is_neither_refused_nor_warned()
    {
        var agent = new AgentNeeds("web1", Agent("0.2.0", [.. Capabilities.Supported]), [HookEnvironment, DependencyHosts, LayerDelta]);

        Assert.That(CapabilityCheck.Refusal("podlift deploy", [agent]), Is.Null);
        Assert.That(CapabilityCheck.Warnings(agent), Is.Empty);
    }

    [Test]
    public void An_agent_from_before_capabilities_lacks_them_all_and_is_refused_naming_server_version_what_and_the_fix()
    {
        var agent = new AgentNeeds("web1", Agent("0.1.0"), [HookEnvironment, DependencyHosts, LayerDelta]);

        var refusal = CapabilityCheck.Refusal("podlift deploy", [agent]);

        Assert.That(refusal, Is.Not.Null);
        Assert.That(refusal!.ExitCode, Is.EqualTo(ExitCode.Connection));
        Assert.That(refusal.Message, Does.StartWith("web1: podlift-agent 0.1.0 (from before capabilities) lacks what `podlift deploy` needs: " +
                                                    "hook-environment (hooks that name ${DB_PASSWORD}), dependency-hosts (dependencies that run on another server)\n"));
        Assert.That(refusal.Message, Does.Not.Contain("layer-delta"), "an optional one does not refuse");
        Assert.That(refusal.Message, Does.Contain($"Nothing was changed (this podlift is {CliVersion.Current})"));
        Assert.That(refusal.Fix, Is.EqualTo("run `podlift agent install` to upgrade it in place"));
    }

    [Test]
    public void Only_the_missing_ones_are_named_and_each_once()
    {
        var agent = new AgentNeeds("web1", Agent("0.2.0", Capabilities.HookEnvironment), [HookEnvironment, DependencyHosts, DependencyHosts with { Reason = "again" }]);

        Assert.That(agent.MissingRequired, Is.EqualTo(new[] { DependencyHosts }));
        Assert.That(CapabilityCheck.Refusal("podlift deploy", [agent])!.Message, Does.StartWith("web1: podlift-agent 0.2.0 lacks what `podlift deploy` needs: dependency-hosts (dependencies that run on another server)\n"));
    }

    [Test]
    public void Of_several_servers_each_lacking_one_gets_its_line()
    {
        var ready = new AgentNeeds("web1", Agent("0.2.0", [.. Capabilities.Supported]), [HookEnvironment]);
        var old = new AgentNeeds("web2", Agent("0.1.0"), [DependencyHosts]);
        var older = new AgentNeeds("web3", Agent("0.0.9"), [DependencyHosts]);

        var lines = CapabilityCheck.Refusal("podlift deploy", [ready, old, older])!.Message.Split('\n');

        Assert.That(lines[0], Does.StartWith("web2: podlift-agent 0.1.0"));
        Assert.That(lines[1], Does.StartWith("web3: podlift-agent 0.0.9"));
        Assert.That(lines, Has.None.Contains("web1"));
    }

    [Test]
    public void A_missing_optional_capability_is_a_warning_saying_what_happens_without_it()
    {
        var agent = new AgentNeeds("web1", Agent("0.1.0"), [LayerDelta]);

        Assert.That(CapabilityCheck.Refusal("podlift deploy", [agent]), Is.Null);
        Assert.That(CapabilityCheck.Warnings(agent), Is.EqualTo(new[]
        {
            "web1: podlift-agent 0.1.0 lacks layer-delta (only the layers it lacks): the whole image is sent; `podlift agent install` upgrades it",
        }));
    }

    [Test]
    public void Validate_marks_a_lacking_agent_failed_with_the_fix()
    {
        var checks = ValidateCommand.AgentChecks(new AgentNeeds("web1", Agent("0.1.0"), [HookEnvironment, LayerDelta])).ToList();

        Assert.That(checks, Is.EqualTo(new[]
        {
            Check.Fail("podlift-agent 0.1.0 lacks what a deploy needs: hook-environment (hooks that name ${DB_PASSWORD})", CapabilityCheck.Fix),
            Check.Warn("podlift-agent lacks layer-delta (only the layers it lacks): the whole image is sent", CapabilityCheck.Fix),
        }));
    }

    [Test]
    public void Validate_passes_an_agent_of_this_build_that_has_what_the_deploy_needs()
    {
        var checks = ValidateCommand.AgentChecks(new AgentNeeds("web1", Agent(CliVersion.Current, [.. Capabilities.Supported]), [HookEnvironment, LayerDelta])).ToList();

        Assert.That(checks, Is.EqualTo(new[] { Check.Pass($"podlift-agent {CliVersion.Current} (protocol {AgentProtocol.Version})") }));
    }
}

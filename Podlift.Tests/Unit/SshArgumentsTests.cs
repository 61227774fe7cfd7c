using NUnit.Framework;
using Podlift.Cli.Configuration;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class SshArgumentsTests
{
    private const string ControlPath = "/tmp/podlift-1234/cm-app1";
    private const string LocalSocket = "/tmp/podlift-1234/agent-app1.sock";

    private static readonly ServerConfig Plain = new("app1.example.com", null, null, null, [], []);
    private static readonly ServerConfig WithKey = new("app1.example.com", "deploy", 2222, "/keys/id_ed25519", [], []);

    private static List<(string, string)> Pairs(IReadOnlyList<string> arguments) => arguments.Zip(arguments.Skip(1)).ToList();

    private static IEnumerable<TestCaseData> EveryCommandLine()
    {
        foreach (var server in new[] { Plain, WithKey })
        foreach (var configFile in new[] { null, "/home/alice/.ssh/config" })
        {
            var name = $"{server.User ?? "ssh's user"}, config {(configFile is null ? "none" : "given")}";
            yield return new TestCaseData(SshArguments.Master(server, configFile, ControlPath, LocalSocket)).SetArgDisplayNames("master, " + name);
            yield return new TestCaseData(SshArguments.Run(server, configFile, ControlPath, "uname -m")).SetArgDisplayNames("run, " + name);
            yield return new TestCaseData(SshArguments.Exit(server, configFile, ControlPath)).SetArgDisplayNames("exit, " + name);
            yield return new TestCaseData(SshArguments.Check(server, configFile, ControlPath)).SetArgDisplayNames("check, " + name);
            yield return new TestCaseData(SshArguments.StartShared(server, configFile, ControlPath)).SetArgDisplayNames("start shared, " + name);
            yield return new TestCaseData(SshArguments.Forward(server, configFile, ControlPath, LocalSocket)).SetArgDisplayNames("forward, " + name);
            yield return new TestCaseData(SshArguments.Cancel(server, configFile, ControlPath, LocalSocket)).SetArgDisplayNames("cancel, " + name);
        }
    }

    private static IEnumerable<TestCaseData> EveryCommandLineWithoutControlPath()
    {
        foreach (var server in new[] { Plain, WithKey })
            yield return new TestCaseData(SshArguments.Resolve(server, null)).SetArgDisplayNames("resolve, " + (server.User ?? "ssh's user"));
    }

    [TestCaseSource(nameof(EveryCommandLine))]
    [TestCaseSource(nameof(EveryCommandLineWithoutControlPath))]
    public void Never_weakens_host_key_checking_and_never_prompts(IReadOnlyList<string> arguments)
    {
        var commandLine = string.Join(" ", arguments);
        Assert.That(commandLine, Does.Not.Contain("StrictHostKeyChecking"));
        Assert.That(commandLine, Does.Not.Contain("accept-new"));
        Assert.That(commandLine, Does.Not.Contain("UserKnownHostsFile"));
        Assert.That(Pairs(arguments), Does.Contain(("-o", "BatchMode=yes")));
    }

    [TestCaseSource(nameof(EveryCommandLine))]
    public void Every_connection_goes_through_the_control_socket(IReadOnlyList<string> arguments) =>
        Assert.That(Pairs(arguments), Does.Contain(("-S", ControlPath)));

    [Test]
    public void Master_is_a_control_master_that_forwards_the_agent_socket()
    {
        var arguments = SshArguments.Master(Plain, null, ControlPath, LocalSocket);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(arguments, Does.Contain("-M"));
            Assert.That(arguments, Does.Contain("-N"));
            Assert.That(Pairs(arguments), Does.Contain(("-L", $"{LocalSocket}:/run/podlift/agent.sock")));
            Assert.That(Pairs(arguments), Does.Contain(("-o", "ExitOnForwardFailure=yes")));
            Assert.That(Pairs(arguments), Does.Contain(("-o", "ControlPersist=no")));
            Assert.That(arguments[^1], Is.EqualTo("app1.example.com"));
        }
    }

    [Test]
    public void A_shared_master_is_started_as_the_users_config_says_and_lends_the_agent_socket_only_for_the_run()
    {
        var start = SshArguments.StartShared(Plain, null, ControlPath);
        var forward = SshArguments.Forward(Plain, null, ControlPath, LocalSocket);
        var cancel = SshArguments.Cancel(Plain, null, ControlPath, LocalSocket);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Pairs(start), Does.Contain(("-o", "ControlMaster=auto")), "auto: of two racing runs, the loser just runs its command");
            Assert.That(string.Join(' ', start), Does.Not.Contain("ControlPersist").And.Not.Contain("-L"), "how long it stays is the user's; it forwards nothing of its own");
            Assert.That(start.TakeLast(2), Is.EqualTo(new[] { "--", "true" }));
            Assert.That(Pairs(forward), Does.Contain(("-O", "forward")).And.Contain(("-L", $"{LocalSocket}:/run/podlift/agent.sock")));
            Assert.That(Pairs(cancel), Does.Contain(("-O", "cancel")).And.Contain(("-L", $"{LocalSocket}:/run/podlift/agent.sock")));
        }
    }

    [Test]
    public void Port_and_user_come_from_the_server()
    {
        var arguments = SshArguments.Master(WithKey, null, ControlPath, LocalSocket);

        Assert.That(Pairs(arguments), Does.Contain(("-p", "2222")).And.Contain(("-l", "deploy")));
    }

    [TestCaseSource(nameof(EveryCommandLine))]
    [TestCaseSource(nameof(EveryCommandLineWithoutControlPath))]
    public void Port_user_and_key_are_passed_only_when_podlift_yml_sets_them_so_the_ssh_config_decides_otherwise(IReadOnlyList<string> arguments)
    {
        var set = arguments.Contains("deploy");

        Assert.That(arguments.Contains("-p"), Is.EqualTo(set));
        Assert.That(arguments.Contains("-l"), Is.EqualTo(set));
        Assert.That(arguments.Contains("-i"), Is.EqualTo(set));
    }

    [Test]
    public void Resolve_asks_ssh_for_its_effective_configuration_with_the_same_options()
    {
        var arguments = SshArguments.Resolve(WithKey, "/home/alice/.ssh/config");

        Assert.That(arguments.TakeLast(2), Is.EqualTo(new[] { "-G", "app1.example.com" }));
        Assert.That(arguments.SkipLast(2), Is.EqualTo(SshArguments.Common(WithKey, "/home/alice/.ssh/config")));
    }

    [Test]
    public void Config_file_is_passed_with_F_only_when_given()
    {
        var with = SshArguments.Master(Plain, "/home/alice/.ssh/config", ControlPath, LocalSocket);
        var without = SshArguments.Master(Plain, null, ControlPath, LocalSocket);

        Assert.That(Pairs(with), Does.Contain(("-F", "/home/alice/.ssh/config")));
        Assert.That(without, Does.Not.Contain("-F"));
    }

    [Test]
    public void Ssh_key_is_passed_with_IdentitiesOnly_only_when_set()
    {
        var with = SshArguments.Master(WithKey, null, ControlPath, LocalSocket);
        var without = SshArguments.Master(Plain, null, ControlPath, LocalSocket);

        Assert.That(Pairs(with), Does.Contain(("-i", "/keys/id_ed25519")).And.Contain(("-o", "IdentitiesOnly=yes")));
        Assert.That(without, Does.Not.Contain("-i").And.Not.Contain("IdentitiesOnly=yes"));
    }

    [Test]
    public void Ssh_key_under_home_is_expanded()
    {
        var server = Plain with { SshKey = "~/.ssh/deploy_key" };

        var arguments = SshArguments.Common(server, null);

        var key = arguments[arguments.ToList().IndexOf("-i") + 1];
        Assert.That(key, Does.Not.StartWith("~"));
        Assert.That(key, Does.EndWith("/.ssh/deploy_key"));
        Assert.That(Path.IsPathRooted(key), Is.True);
    }

    [Test]
    public void Run_reuses_the_master_and_passes_the_command_after_double_dash()
    {
        var arguments = SshArguments.Run(Plain, null, ControlPath, "sudo -n true");

        Assert.That(Pairs(arguments), Does.Contain(("-o", "ControlMaster=no")));
        Assert.That(arguments.TakeLast(3), Is.EqualTo(new[] { "app1.example.com", "--", "sudo -n true" }));
        Assert.That(arguments, Does.Not.Contain("-M"));
    }

    [Test]
    public void Exit_asks_the_master_to_exit()
    {
        var arguments = SshArguments.Exit(Plain, null, ControlPath);

        Assert.That(arguments.TakeLast(3), Is.EqualTo(new[] { "-O", "exit", "app1.example.com" }));
    }
}

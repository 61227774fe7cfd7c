using System.CommandLine;
using Podlift.Cli.Commands;

namespace Podlift.Tests.Unit;

/// <summary>--dry-run is global: every command honours it (prints its plan, or only reads anyway) or refuses it. Never ignored.</summary>
public class DryRunPolicyTests
{
    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path = "")
    {
        if (command.Subcommands.Count == 0)
        {
            yield return (path, command);
            yield break;
        }
        foreach (var sub in command.Subcommands)
            foreach (var leaf in Leaves(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}"))
                yield return leaf;
    }

    private static IEnumerable<string> CommandsThatRefuse() =>
        CommandLine.DryRunPolicies.Where(p => p.Value.Mode == DryRunMode.Refused).Select(p => p.Key);

    [Test]
    public void Every_command_in_the_tree_has_a_dry_run_policy_and_every_policy_a_command()
    {
        var leaves = Leaves(CommandLine.Build()).Select(l => l.Path).ToList();

        Assert.That(leaves, Has.Count.GreaterThan(15));
        Assert.That(CommandLine.DryRunPolicies.Keys, Is.EquivalentTo(leaves), "add the new command to CommandLine.DryRunPolicies: does it print a plan, only read, or refuse --dry-run?");
    }

    [TestCase("setup")]
    [TestCase("agent uninstall")]
    [TestCase("ssl setup")]
    [TestCase("ssl renew")]
    [TestCase("init")]
    [TestCase("deploy")]
    [TestCase("rollback")]
    [TestCase("agent install")]
    public void Commands_that_change_servers_or_files_print_their_plan(string command) =>
        Assert.That(CommandLine.DryRunPolicies[command].Mode, Is.EqualTo(DryRunMode.PrintsPlan));

    [Test]
    public void Exec_refuses_dry_run_it_changes_state_inside_containers() =>
        Assert.That(CommandLine.DryRunPolicies["exec"].Mode, Is.EqualTo(DryRunMode.Refused));

    [TestCaseSource(nameof(CommandsThatRefuse))]
    public async Task A_refusing_command_exits_2_with_dry_run_before_reading_the_config_or_connecting(string path)
    {
        using var temp = new TempDirectory();
        // a server that cannot be reached: connecting would end in exit 5, not 2
        var config = temp.Write("podlift.yml", "service: shop\nimage: shop\nservers: [dry-run-must-not-connect.invalid]\n");
        var command = Leaves(CommandLine.Build()).Single(l => l.Path == path).Command;
        var arguments = command.Arguments.SelectMany(a => Enumerable.Repeat("x", Math.Max(1, a.Arity.MinimumNumberOfValues)));
        string[] args = [.. path.Split(' '), "--dry-run", "--config", config, .. arguments];
        var errors = new StringWriter();
        var stderr = Console.Error;

        int exitCode;
        Console.SetError(errors);
        try
        {
            exitCode = await CommandLine.Parse(args).InvokeAsync();
        }
        finally
        {
            Console.SetError(stderr);
        }

        Assert.That(exitCode, Is.EqualTo(2), errors.ToString());
        Assert.That(errors.ToString(), Does.Contain($"podlift {path}").And.Contain("--dry-run").And.Contain("→ drop --dry-run"));
    }

    [Test]
    public void Without_dry_run_nothing_is_refused()
    {
        var parse = CommandLine.Parse(["exec", "web", "ls"]);

        Assert.That(CommandLine.DryRunRefusal(parse), Is.Null);
    }

    [TestCase("ps")]
    [TestCase("setup")]
    [TestCase("config")]
    public void A_command_that_honours_dry_run_is_not_refused(string command)
    {
        var parse = CommandLine.Parse([command, "--dry-run"]);

        Assert.That(CommandLine.DryRunRefusal(parse), Is.Null);
    }
}

using System.CommandLine;
using Podlift.Cli.Commands;
using Podlift.Cli.Errors;

namespace Podlift.Tests.Unit;

public class ExecArgumentsTests
{
    [TestCase("exec web sh -c exit-3", "exec web -- sh -c exit-3")]
    [TestCase("exec --replica 2 web ls -la", "exec --replica 2 web -- ls -la")]
    [TestCase("exec --replica=2 web ls", "exec --replica=2 web -- ls")]
    [TestCase("-c other.yml exec -v web cat --help", "-c other.yml exec -v web -- cat --help")]
    [TestCase("exec web -- sh -c true", "exec web -- sh -c true")]
    [TestCase("exec web", "exec web")]
    [TestCase("exec --help", "exec --help")]
    [TestCase("logs web -c other.yml", "logs web -c other.yml")]
    [TestCase("deploy", "deploy")]
    public void Everything_after_the_service_becomes_the_command(string args, string expected) =>
        Assert.That(string.Join(' ', ExecArguments.Normalize(args.Split(' '))), Is.EqualTo(expected));

    [Test]
    public void The_parser_hands_options_after_the_service_to_the_command_not_to_podlift()
    {
        var parse = CommandLine.Parse(["exec", "--replica", "2", "web", "sh", "-c", "exit 3"]);

        Assert.That(parse.Errors, Is.Empty);
        Assert.That(parse.GetValue<string>("service"), Is.EqualTo("web"));
        Assert.That(parse.GetValue<string[]>("command"), Is.EqualTo(new[] { "sh", "-c", "exit 3" }));
        Assert.That(parse.GetValue<string>("--replica"), Is.EqualTo("2"));
        Assert.That(parse.GetValue<string>("--config"), Is.EqualTo("podlift.yml"), "-c after the service belongs to sh");
    }

    [Test]
    public void A_command_is_required()
    {
        var parse = CommandLine.Parse(["exec", "web"]);
        Assert.That(parse.Errors, Is.Not.Empty);
    }

    [TestCase("1", 1)]
    [TestCase("3", 3)]
    public void Replica_is_a_number(string text, int expected) =>
        Assert.That(ExecOptions.Parse("web", text, ["true"]).Replica, Is.EqualTo(expected));

    [TestCase("two")]
    [TestCase("-1")]
    public void A_bad_replica_is_a_configuration_error_naming_the_flag(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => ExecOptions.Parse("web", text, ["true"]))!;
        Assert.That((int)error.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.StartWith("--replica"));
    }
}

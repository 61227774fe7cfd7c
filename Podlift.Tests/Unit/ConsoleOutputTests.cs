using NUnit.Framework;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;

namespace Podlift.Tests.Unit;

public class ConsoleOutputTests
{
    private readonly StringWriter _out = new() { NewLine = "\n" };
    private readonly StringWriter _err = new() { NewLine = "\n" };

    [TearDown]
    public void Clear()
    {
        _out.GetStringBuilder().Clear();
        _err.GetStringBuilder().Clear();
    }

    [OneTimeTearDown]
    public void DisposeWriters()
    {
        _out.Dispose();
        _err.Dispose();
    }

    [Test]
    public void Markers_go_to_standard_output()
    {
        var output = new ConsoleOutput(_out, _err, verbose: false);

        output.Step(2, 7, "Build image");
        output.Ok("built");
        output.Fail("broken");
        output.Warn("careful");
        output.Line();

        Assert.That(_out.ToString(), Is.EqualTo("[2/7] Build image...\n✓ built\n✗ broken\n⚠ careful\n\n"));
        Assert.That(_err.ToString(), Is.Empty);
    }

    [Test]
    public void Detail_is_indented_and_only_verbose()
    {
        new ConsoleOutput(_out, _err, verbose: false).Detail("quiet");
        new ConsoleOutput(_out, _err, verbose: true).Detail("docker build --tag myapp:abc .");

        Assert.That(_out.ToString(), Is.EqualTo("  docker build --tag myapp:abc .\n"));
    }

    [Test]
    public void Error_with_a_fix_goes_to_standard_error()
    {
        new ConsoleOutput(_out, _err, false).Error(new ConfigurationException("podlift.yml:3: port must be a number", "write port: 8000"));

        Assert.That(_err.ToString(), Is.EqualTo("ERROR: podlift.yml:3: port must be a number\n→ write port: 8000\n"));
        Assert.That(_out.ToString(), Is.Empty);
    }

    [Test]
    public void Error_without_a_fix_has_no_arrow_line()
    {
        new ConsoleOutput(_out, _err, false).Error(new DeploymentException("health check failed"));

        Assert.That(_err.ToString(), Is.EqualTo("ERROR: health check failed\n"));
    }

    [Test]
    public void On_a_terminal_the_marks_steps_and_ERROR_are_coloured_and_the_text_is_left_as_it_is()
    {
        var output = new ConsoleOutput(_out, _err, verbose: false, traits: new ConsoleTraits(ColourOut: true, ColourErrors: true, Live: true));

        output.Step(1, 7, "Validate");
        output.Ok("built");
        output.Fail("broken");
        output.Warn("careful");
        output.Error(new ValidationException("dirty tree", "commit"));

        Assert.That(_out.ToString(), Is.EqualTo(
            "\u001b[1m[1/7] Validate...\u001b[0m\n\u001b[32m✓\u001b[0m built\n\u001b[31m✗\u001b[0m broken\n\u001b[33m⚠\u001b[0m careful\n"));
        Assert.That(_err.ToString(), Is.EqualTo("\u001b[1;31mERROR\u001b[0m: dirty tree\n→ commit\n"));
    }

    [Test]
    public void Colour_on_stdout_only_leaves_the_errors_of_a_redirected_stderr_plain()
    {
        var output = new ConsoleOutput(_out, _err, verbose: false, traits: new ConsoleTraits(ColourOut: true, ColourErrors: false, Live: true));

        output.Error("lost");

        Assert.That(_err.ToString(), Is.EqualTo("ERROR: lost\n"));
    }

    [Test]
    public void A_prefixed_console_keeps_the_traits_of_the_console_it_came_from()
    {
        var output = new ConsoleOutput(_out, _err, verbose: false, traits: new ConsoleTraits(true, true, true)).WithPrefix("10.0.0.1: ");

        output.Ok("deployed");

        Assert.That(_out.ToString(), Is.EqualTo("10.0.0.1: \u001b[32m✓\u001b[0m deployed\n"));
        Assert.That(output.Live, Is.True);
    }

    [Test]
    public void Json_lines_escape_only_what_JSON_requires()
    {
        var output = new ConsoleOutput(_out, _err, verbose: false, json: true);

        output.Ok("git tree clean at abc1234 \"fix <b> & 'quotes'\" → ✓");

        var line = _out.ToString().TrimEnd('\n');
        Assert.That(line, Is.EqualTo("""{"event":"ok","text":"git tree clean at abc1234 \"fix <b> & 'quotes'\" → ✓"}"""));
        Assert.That(line, Does.Not.Contain("\\u"), "no \\u0022, \\u003C, \\u2713");
        Assert.That(System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("text").GetString(), Does.EndWith("\" → ✓"));
    }
}

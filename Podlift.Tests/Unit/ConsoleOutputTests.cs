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
}

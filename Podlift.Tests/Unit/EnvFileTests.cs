using NUnit.Framework;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;

namespace Podlift.Tests.Unit;

public class EnvFileTests
{
    [TestCase("KEY=value", "value")]
    [TestCase("export KEY=value", "value")]
    [TestCase("export   KEY=value", "value")]
    [TestCase("  KEY = value  ", "value")]
    [TestCase("KEY=", "")]
    [TestCase("KEY=a=b=c", "a=b=c")]
    [TestCase("KEY=value # a comment", "value")]
    [TestCase("KEY=val#ue", "val#ue")]
    [TestCase("KEY=\"two words\"", "two words")]
    [TestCase("KEY=\"keeps # this\"", "keeps # this")]
    [TestCase("KEY=\"line1\\nline2\"", "line1\nline2")]
    [TestCase("KEY=\"say \\\"hi\\\"\"", "say \"hi\"")]
    [TestCase("KEY=\"C:\\\\new\"", "C:\\new")]
    [TestCase("KEY='single $quoted \\n #kept'", "single $quoted \\n #kept")]
    [TestCase("KEY=\"\"", "")]
    [TestCase("KEY=\"", "\"")]
    public void Parses_one_line(string line, string expected)
    {
        var values = EnvFile.Parse(line, ".env");

        Assert.That(values, Is.EqualTo(new Dictionary<string, string> { ["KEY"] = expected }));
    }

    [Test]
    public void Skips_blank_lines_and_comments_and_handles_crlf()
    {
        var values = EnvFile.Parse("# database\r\n\r\nDB_USER=app\r\n   # indented comment\r\nDB_NAME=prod\r\n", ".env");

        Assert.That(values, Is.EqualTo(new Dictionary<string, string> { ["DB_USER"] = "app", ["DB_NAME"] = "prod" }));
    }

    [Test]
    public void A_later_line_overrides_an_earlier_one()
    {
        var values = EnvFile.Parse("MODE=dev\nMODE=prod\n", ".env");

        Assert.That(values["MODE"], Is.EqualTo("prod"));
    }

    [Test]
    public void Names_are_case_sensitive()
    {
        var values = EnvFile.Parse("key=lower\nKEY=upper\n", ".env");

        Assert.That(values, Has.Count.EqualTo(2));
    }

    [TestCase("JUST_A_WORD", ".env:3: expected KEY=VALUE, got \"JUST_A_WORD\"")]
    [TestCase("=value", ".env:3: expected KEY=VALUE")]
    [TestCase("1KEY=value", ".env:3: \"1KEY\" is not a valid variable name")]
    [TestCase("MY-KEY=value", ".env:3: \"MY-KEY\" is not a valid variable name")]
    [TestCase("MY KEY=value", ".env:3: \"MY KEY\" is not a valid variable name")]
    public void An_invalid_line_is_a_configuration_error_with_its_line_number(string line, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => EnvFile.Parse($"A=1\n# comment\n{line}\n", ".env"))!;

        Assert.That(error.Message, Does.StartWith(expected));
        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Configuration));
        Assert.That(error.Fix, Is.Not.Null);
    }

    [Test]
    public void An_invalid_line_is_not_echoed_in_full_because_it_may_be_a_secret()
    {
        const string secret = "sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUvWxYz";

        var error = Assert.Throws<ConfigurationException>(() => EnvFile.Parse(secret, "prod.env"))!;

        Assert.That(error.Message, Does.StartWith("prod.env:1: expected KEY=VALUE"));
        Assert.That(error.Message, Does.Not.Contain(secret));
        Assert.That(error.Message, Does.Not.Contain(secret[12..]));
    }
}

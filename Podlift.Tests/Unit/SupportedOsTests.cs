using Podlift.Cli.Errors;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class SupportedOsTests
{
    // the shape of /etc/os-release on Debian and Ubuntu: PRETTY_NAME and VERSION_ID quoted, ID bare
    private static string OsRelease(string id, string versionId, string prettyName) => $"""
        PRETTY_NAME="{prettyName}"
        NAME="{prettyName.Split(' ')[0]}"
        VERSION_ID="{versionId}"
        ID={id}
        HOME_URL="https://www.example.org/"

        """;

    [TestCase("debian", "11", "Debian GNU/Linux 11 (bullseye)")]
    [TestCase("debian", "12", "Debian GNU/Linux 12 (bookworm)")]
    [TestCase("debian", "13", "Debian GNU/Linux 13 (trixie)")]
    [TestCase("ubuntu", "20.04", "Ubuntu 20.04.6 LTS")]
    [TestCase("ubuntu", "22.04", "Ubuntu 22.04.4 LTS")]
    [TestCase("ubuntu", "24.04", "Ubuntu 24.04.1 LTS")]
    public void Supported_release_gives_its_pretty_name_unquoted(string id, string versionId, string prettyName)
    {
        Assert.That(SupportedOs.Check("10.0.0.1", OsRelease(id, versionId, prettyName)), Is.EqualTo(prettyName));
    }

    [TestCase("debian", "10", "Debian GNU/Linux 10 (buster)")]
    [TestCase("ubuntu", "18.04", "Ubuntu 18.04.6 LTS")]
    [TestCase("ubuntu", "23.10", "Ubuntu 23.10")]
    [TestCase("ubuntu", "24.10", "Ubuntu 24.10")]
    [TestCase("centos", "9", "CentOS Stream 9")]
    [TestCase("linuxmint", "22", "Linux Mint 22")]
    public void Unsupported_release_is_a_validation_error_naming_the_os_and_what_is_supported(string id, string versionId, string prettyName)
    {
        var error = Assert.Throws<ValidationException>(() => SupportedOs.Check("10.0.0.7", OsRelease(id, versionId, prettyName)))!;

        Assert.That((int)error.ExitCode, Is.EqualTo(3));
        Assert.That(error.Message, Does.StartWith($"10.0.0.7 runs {prettyName},"));
        Assert.That(error.Message, Does.Contain("Debian 11, 12, 13 and Ubuntu 20.04, 22.04, 24.04"));
        Assert.That(error.Fix, Does.Contain("podlift agent install"));
    }

    [Test]
    public void Debian_testing_without_a_version_id_is_refused()
    {
        const string sid = "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\nID=debian\n";

        Assert.That(() => SupportedOs.Check("h", sid), Throws.TypeOf<ValidationException>().With.Message.Contains("runs Debian GNU/Linux trixie/sid"));
    }

    [Test]
    public void Quoted_and_unquoted_values_read_the_same()
    {
        const string quoted = "ID=\"ubuntu\"\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n";
        const string bare = "ID=ubuntu\nVERSION_ID=22.04\nPRETTY_NAME=Ubuntu\n";

        Assert.That(SupportedOs.Check("h", quoted), Is.EqualTo("Ubuntu 22.04.4 LTS"));
        Assert.That(SupportedOs.Check("h", bare), Is.EqualTo("Ubuntu"));
    }

    [Test]
    public void Carriage_returns_and_blank_lines_are_tolerated()
    {
        Assert.That(SupportedOs.Check("h", "\r\nID=debian\r\nVERSION_ID=\"12\"\r\n\r\nPRETTY_NAME=\"Debian 12\"\r\n"), Is.EqualTo("Debian 12"));
    }

    [Test]
    public void Without_a_pretty_name_the_error_names_id_and_version()
    {
        var error = Assert.Throws<ValidationException>(() => SupportedOs.Check("h", "ID=alpine\nVERSION_ID=3.20.1\n"))!;

        Assert.That(error.Message, Does.StartWith("h runs alpine 3.20.1,"));
    }

    [Test]
    public void An_empty_os_release_is_an_unknown_os()
    {
        var error = Assert.Throws<ValidationException>(() => SupportedOs.Check("h", ""))!;

        Assert.That(error.Message, Does.StartWith("h runs unknown,"));
    }
}

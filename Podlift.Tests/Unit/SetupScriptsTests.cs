using System.Text.RegularExpressions;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class SetupScriptsTests
{
    [TestCase("result=changed detail=Docker 26.1.5", true, "Docker 26.1.5")]
    [TestCase("result=unchanged detail=nginx 1.22.1", false, "nginx 1.22.1")]
    [TestCase("Reading package lists...\nresult=changed detail=open: 22/tcp 80/tcp 443/tcp; everything else closed\n", true,
        "open: 22/tcp 80/tcp 443/tcp; everything else closed")]
    [TestCase("result=unchanged detail=first\nnoise\nresult=changed detail=last\n", true, "last")]
    [TestCase("result=changed\n", true, "")]
    [TestCase("apt-get: something went wrong\n", false, "")]
    [TestCase("", false, "")]
    public void Parse_reads_the_last_result_line(string output, bool changed, string detail)
    {
        Assert.That(SetupScripts.Parse(output), Is.EqualTo(new SetupScripts.StepResult(changed, detail)));
    }

    private static IEnumerable<TestCaseData> Scripts()
    {
        yield return new TestCaseData(SetupScripts.Docker).SetArgDisplayNames("Docker");
        yield return new TestCaseData(SetupScripts.Nginx).SetArgDisplayNames("Nginx");
        yield return new TestCaseData(SetupScripts.Firewall(22)).SetArgDisplayNames("Firewall");
        yield return new TestCaseData(SetupScripts.Security).SetArgDisplayNames("Security");
    }

    [TestCaseSource(nameof(Scripts))]
    public void Every_script_stops_at_the_first_failure_and_ends_with_its_result_line(string script)
    {
        var lines = script.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(lines[0], Is.EqualTo("set -eu"));
        Assert.That(lines[^1], Does.StartWith("echo \"result=$state detail="));
        Assert.That(script, Does.Contain("state=unchanged"));
    }

    [TestCase(22)]
    [TestCase(2222)]
    public void Firewall_opens_exactly_the_ssh_port_http_and_https(int sshPort)
    {
        var script = SetupScripts.Firewall(sshPort);

        var opened = Regex.Match(script, @"for port in ([0-9 ]+); do ufw allow ""\$port/tcp""").Groups[1].Value.Split(' ');
        Assert.That(opened, Is.EqualTo(new[] { sshPort.ToString(), "80", "443" }));
        Assert.That(Regex.Matches(script, "ufw allow"), Has.Count.EqualTo(1), "no other port is opened");
        Assert.That(script, Does.Contain("ufw default deny incoming"));
        Assert.That(script, Does.Contain($"detail=open: {sshPort}/tcp 80/tcp 443/tcp"));
    }

    [Test]
    public void Security_allows_ssh_keys_only()
    {
        var script = SetupScripts.Security;

        Assert.That(script, Does.Contain("PasswordAuthentication no"));
        Assert.That(script, Does.Contain("KbdInteractiveAuthentication no"));
        Assert.That(script, Does.Contain("sshd -t"), "the new sshd config is checked before sshd is reloaded");
        Assert.That(script.IndexOf("sshd -t", StringComparison.Ordinal), Is.LessThan(script.IndexOf("systemctl reload ssh", StringComparison.Ordinal)));
    }

    [Test]
    public void Security_has_fail2ban_guard_sshd_through_the_journal()
    {
        var script = SetupScripts.Security;

        Assert.That(script, Does.Contain("apt_install fail2ban python3-systemd"));
        Assert.That(script, Does.Contain(@"printf '[sshd]\nenabled = true\nbackend = systemd\n'"));
    }
}

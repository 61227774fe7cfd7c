using System.Text.RegularExpressions;
using Podlift.Cli.Errors;
using Podlift.Cli.Remote;
using Podlift.Tests.EndToEnd;

namespace Podlift.Tests.Unit;

/// <summary>Which agent a server gets, by what its `uname -m` says; any other architecture is refused before anything changes.</summary>
public class AgentBinaryTests
{
    [TestCase("x86_64", "linux-x64")]
    [TestCase("amd64", "linux-x64")]
    [TestCase("aarch64", "linux-arm64")]
    [TestCase("arm64", "linux-arm64")]
    [TestCase("aarch64\n", "linux-arm64")]
    public void A_64_bit_x86_or_arm_server_gets_its_agent(string unameMachine, string runtimeIdentifier) =>
        Assert.That(AgentBinary.RuntimeIdentifier("10.0.0.1", unameMachine), Is.EqualTo(runtimeIdentifier));

    [TestCase("armv7l")]
    [TestCase("armv6l")]
    [TestCase("riscv64")]
    [TestCase("i686")]
    [TestCase("s390x")]
    public void Another_architecture_is_refused_naming_the_server_and_what_is_supported(string unameMachine)
    {
        var refused = Assert.Throws<ValidationException>(() => AgentBinary.RuntimeIdentifier("pi.local", unameMachine))!;

        Assert.That(refused.ExitCode, Is.EqualTo(ExitCode.Validation));
        Assert.That(refused.Message, Does.Contain("pi.local").And.Contain(unameMachine).And.Contain("x86_64 and aarch64").And.Contain("nothing was changed"));
        Assert.That(refused.Fix, Does.Contain("64-bit"));
    }

    [Test]
    public void An_empty_answer_is_refused_as_unknown() =>
        Assert.That(Assert.Throws<ValidationException>(() => AgentBinary.RuntimeIdentifier("10.0.0.1", ""))!.Message, Does.Contain("unknown machine"));

    [Test]
    public void The_Makefile_publishes_an_agent_for_every_architecture_podlift_installs_on()
    {
        var makefile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Makefile"));
        var listed = Regex.Match(makefile, @"^AGENT_RIDS\s*:?=\s*(.+)$", RegexOptions.Multiline).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(listed, Is.EquivalentTo(AgentBinary.RuntimeIdentifiers));
        Assert.That(new[] { "x86_64", "aarch64" }.Select(machine => AgentBinary.RuntimeIdentifier("h", machine)), Is.EquivalentTo(AgentBinary.RuntimeIdentifiers));
    }

    [Test]
    public async Task The_Makefile_publishes_the_cli_for_this_machine()
    {
        // `make -n`: what make would run, nothing built; a shell snippet make cannot parse once broke `make install` and `make demo`
        var dryRun = await Shell.RunAsync("make", ["-n", "publish-cli"], RepositoryPaths.Root);
        var machine = $"{(OperatingSystem.IsMacOS() ? "osx" : "linux")}-{(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "x64")}";

        Assert.That(dryRun.ExitCode, Is.EqualTo(0), dryRun.All);
        Assert.That(dryRun.Output, Does.Contain($"dotnet publish Podlift.Cli -c Release -r {machine} "));
    }
}

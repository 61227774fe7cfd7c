using Podlift.Tests.EndToEnd;
using Podlift.Tests.Unit;

namespace Podlift.Tests.Cli;

/// <summary>
/// The real CLI, as a process, on every malformed config of the corpus: exit 2, the key path in the
/// message, and not one SSH connection attempted. `ssh` on PATH is a stub that records being called.
/// </summary>
[NonParallelizable]
public sealed class BadInputTests
{
    private string _directory = null!;
    private string _sshCalls = null!;

    [OneTimeSetUp]
    public void StubSsh()
    {
        _directory = Directory.CreateTempSubdirectory("podlift-bad-input-").FullName;
        Directory.CreateDirectory(Path.Combine(_directory, "bin"));
        _sshCalls = Path.Combine(_directory, "ssh-calls");
        var stub = Path.Combine(_directory, "bin", "ssh");
        File.WriteAllText(stub, $"#!/bin/sh\necho \"$@\" >> '{_sshCalls}'\nexit 255\n");
        File.SetUnixFileMode(stub, (UnixFileMode)0b111_101_101);
    }

    [OneTimeTearDown]
    public void Remove() => Directory.Delete(_directory, recursive: true);

    [TestCaseSource(typeof(ConfigLoaderTests), nameof(ConfigLoaderTests.MalformedConfigs))]
    public async Task Deploy_WithAMalformedConfig_ExitsTwoNamingTheKey_AndOpensNoSshConnection(string yaml, string expected)
    {
        var project = Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("N"))).FullName;
        File.WriteAllText(Path.Combine(project, "podlift.yml"), yaml);

        var result = await Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, "deploy"], project, new Dictionary<string, string>
        {
            ["PATH"] = $"{Path.Combine(_directory, "bin")}:{Environment.GetEnvironmentVariable("PATH")}",
        }, TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain(expected));
        Assert.That(result.Error, Does.StartWith("ERROR: ").And.Contain("→ "), "the message and, on its own line, the fix");
        Assert.That(File.Exists(_sshCalls), Is.False, $"ssh was run: {(File.Exists(_sshCalls) ? File.ReadAllText(_sshCalls) : "")}");
    }

    [Test]
    public async Task UnreachableHost_IsAConnectionError_NamingIt()
    {
        var project = Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("N"))).FullName;
        File.WriteAllText(Path.Combine(project, "podlift.yml"), "service: myapp\nimage: myapp\nservers: [unreachable.invalid]\n");

        var result = await Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, "ps"], project, timeout: TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.EqualTo(5), result.All);
        Assert.That(result.Error, Does.Contain("unreachable.invalid"));
    }
}

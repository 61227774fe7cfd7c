using Podlift.Tests.EndToEnd;

namespace Podlift.Tests.Cli;

/// <summary>
/// The real CLI, as a process, with --dry-run where no server is needed to see it honoured or refused: `init`
/// lists what it would write and writes nothing; `exec` refuses the flag (exit 2) before any SSH. `ssh` on PATH
/// is a stub that records being called.
/// </summary>
[NonParallelizable]
public sealed class DryRunTests
{
    private string _directory = null!;
    private string _sshCalls = null!;

    [OneTimeSetUp]
    public void StubSsh()
    {
        _directory = Directory.CreateTempSubdirectory("podlift-dry-run-").FullName;
        Directory.CreateDirectory(Path.Combine(_directory, "bin"));
        _sshCalls = Path.Combine(_directory, "ssh-calls");
        var stub = Path.Combine(_directory, "bin", "ssh");
        File.WriteAllText(stub, $"#!/bin/sh\necho \"$@\" >> '{_sshCalls}'\nexit 255\n");
        File.SetUnixFileMode(stub, (UnixFileMode)0b111_101_101);
    }

    [OneTimeTearDown]
    public void Remove() => Directory.Delete(_directory, recursive: true);

    private string NewProject() => Directory.CreateDirectory(Path.Combine(_directory, "shop-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    private Task<ShellResult> PodliftAsync(string project, params string[] arguments) =>
        Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, .. arguments], project, new Dictionary<string, string>
        {
            ["PATH"] = $"{Path.Combine(_directory, "bin")}:{Environment.GetEnvironmentVariable("PATH")}",
        }, TimeSpan.FromMinutes(1));

    [Test]
    public async Task Init_DryRun_ListsTheFilesItWouldWrite_AndWritesNothing()
    {
        var project = NewProject();

        var result = await PodliftAsync(project, "init", "--dry-run");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.All);
        Assert.That(result.Output, Does.Contain("would write").And.Contain(Path.Combine(project, "podlift.yml")).And.Contain(Path.Combine(project, ".env.example")));
        Assert.That(result.Output, Does.Contain("nothing was written"));
        Assert.That(Directory.EnumerateFileSystemEntries(project), Is.Empty);
    }

    [Test]
    public async Task Init_DryRun_RefusesAsTheRealRunWould_WhenAFileIsThere()
    {
        var project = NewProject();
        File.WriteAllText(Path.Combine(project, "podlift.yml"), "mine\n");

        var result = await PodliftAsync(project, "init", "--dry-run");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("podlift.yml already exists"));
        Assert.That(File.ReadAllText(Path.Combine(project, "podlift.yml")), Is.EqualTo("mine\n"));
        Assert.That(File.Exists(Path.Combine(project, ".env.example")), Is.False);
    }

    [Test]
    public async Task Exec_DryRun_IsRefusedWithExitTwo_NamingTheCommandAndTheFix_BeforeAnySsh()
    {
        var project = NewProject();
        File.WriteAllText(Path.Combine(project, "podlift.yml"), "service: shop\nimage: shop\nservers: [10.0.0.1]\n");

        var result = await PodliftAsync(project, "exec", "--dry-run", "web", "rm", "-rf", "/data");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.StartWith("ERROR: ").And.Contain("podlift exec").And.Contain("--dry-run"));
        Assert.That(result.Error, Does.Contain("→ drop --dry-run"));
        Assert.That(File.Exists(_sshCalls), Is.False, $"ssh was run: {(File.Exists(_sshCalls) ? File.ReadAllText(_sshCalls) : "")}");
    }
}

using System.Diagnostics;
using Podlift.Cli.Local;

namespace Podlift.Tests.Unit;

/// <summary>The project's source as the laptop sends it, read from a real repository's origin remote.</summary>
public class GitSourceTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void CreateRepository()
    {
        _dir = new TempDirectory();
        RunGit("init", "-q");
    }

    [TearDown]
    public void DeleteRepository() => _dir.Dispose();

    private void RunGit(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-C", _dir.Path, .. arguments]) start.ArgumentList.Add(argument);
        using var git = Process.Start(start)!;
        git.WaitForExit();
        Assert.That(git.ExitCode, Is.Zero, git.StandardError.ReadToEnd());
    }

    [Test]
    public async Task A_ci_token_in_the_origin_remote_never_leaves_the_laptop()
    {
        RunGit("remote", "add", "origin", "https://x-access-token:ghs_SECRET@github.com/org/repo.git");

        Assert.That(await Git.SourceAsync(_dir.Path, CancellationToken.None), Is.EqualTo("https://github.com/org/repo.git"));
    }

    [Test]
    public async Task Without_an_origin_remote_the_source_is_this_machine_and_the_repository_path()
    {
        var source = await Git.SourceAsync(_dir.Path, CancellationToken.None);

        Assert.That(source, Does.StartWith(Environment.MachineName + ":").And.EndWith(Path.GetFileName(_dir.Path)));
    }
}

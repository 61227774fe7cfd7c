using System.Text.Json;
using Podlift.Tests.EndToEnd;
using Podlift.Tests.Unit;

namespace Podlift.Tests.Cli;

/// <summary>
/// The version every build gets from git (Directory.Build.targets), run by MSBuild on a copy of the
/// repository's Directory.Build.props/.targets in throwaway git repositories.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public sealed class BuildVersionTests
{
    [Test]
    public async Task WithoutGit_ItIsTheDevelopmentFallback()
    {
        using var tree = new TempDirectory();
        var version = await BuildVersionAsync(tree.Path);
        Assert.That(version, Is.EqualTo(new BuildVersion("0.1.0-dev", "0.1.0-dev")));
    }

    [Test]
    public async Task WithoutTags_ItCountsTheCommits_AndNamesTheCommit()
    {
        using var tree = new TempDirectory();
        await GitAsync(tree.Path, "init", "-q");
        await CommitAsync(tree.Path, "one");
        await CommitAsync(tree.Path, "two");
        var sha = await GitAsync(tree.Path, "rev-parse", "--short", "HEAD");

        Assert.That(await BuildVersionAsync(tree.Path), Is.EqualTo(new BuildVersion("0.1.0-dev.2", $"0.1.0-dev.2+{sha}")));
    }

    [Test]
    public async Task UncommittedChanges_AreMarkedDirty()
    {
        using var tree = new TempDirectory();
        await GitAsync(tree.Path, "init", "-q");
        await CommitAsync(tree.Path, "one");
        var sha = await GitAsync(tree.Path, "rev-parse", "--short", "HEAD");
        tree.Write("file", "changed");

        Assert.That((await BuildVersionAsync(tree.Path)).Informational, Is.EqualTo($"0.1.0-dev.1+{sha}.dirty"));
    }

    [Test]
    public async Task TwoCommitsWithTheSameCount_HaveDifferentVersions()
    {
        using var tree = new TempDirectory();
        await GitAsync(tree.Path, "init", "-q");
        await CommitAsync(tree.Path, "one");
        var first = await BuildVersionAsync(tree.Path);
        await GitAsync(tree.Path, "commit", "-q", "--amend", "-m", "one, amended");
        var second = await BuildVersionAsync(tree.Path);

        Assert.That(second.Version, Is.EqualTo(first.Version), "same number of commits");
        Assert.That(second.Informational, Is.Not.EqualTo(first.Informational));
    }

    [Test]
    public async Task OnATag_ItIsTheTagsVersion()
    {
        using var tree = new TempDirectory();
        await GitAsync(tree.Path, "init", "-q");
        await CommitAsync(tree.Path, "one");
        await GitAsync(tree.Path, "tag", "v1.4.2");
        var sha = await GitAsync(tree.Path, "rev-parse", "--short", "HEAD");

        Assert.That(await BuildVersionAsync(tree.Path), Is.EqualTo(new BuildVersion("1.4.2", $"1.4.2+{sha}")));
    }

    [Test]
    public async Task AfterATag_ItIsADevelopmentVersionOfTheNextPatch()
    {
        using var tree = new TempDirectory();
        await GitAsync(tree.Path, "init", "-q");
        await CommitAsync(tree.Path, "one");
        await GitAsync(tree.Path, "tag", "-a", "v1.4.2", "-m", "release");
        await CommitAsync(tree.Path, "two");
        await CommitAsync(tree.Path, "three");
        await GitAsync(tree.Path, "tag", "not-a-version");
        var sha = await GitAsync(tree.Path, "rev-parse", "--short", "HEAD");

        Assert.That(await BuildVersionAsync(tree.Path), Is.EqualTo(new BuildVersion("1.4.3-dev.2", $"1.4.3-dev.2+{sha}")));
    }

    [Test]
    public async Task AfterAPrereleaseTag_ItExtendsThePrerelease()
    {
        using var tree = new TempDirectory();
        await GitAsync(tree.Path, "init", "-q");
        await CommitAsync(tree.Path, "one");
        await GitAsync(tree.Path, "tag", "v2.0.0-rc.1");
        await CommitAsync(tree.Path, "two");
        var sha = await GitAsync(tree.Path, "rev-parse", "--short", "HEAD");

        Assert.That(await BuildVersionAsync(tree.Path), Is.EqualTo(new BuildVersion("2.0.0-rc.1.dev.1", $"2.0.0-rc.1.dev.1+{sha}")));
    }

    [Test]
    public async Task ACopyWithoutGitInsideAnotherRepository_DoesNotTakeThatOnesCommits()
    {
        using var outer = new TempDirectory();
        await GitAsync(outer.Path, "init", "-q");
        await CommitAsync(outer.Path, "someone else's");
        var tree = Directory.CreateDirectory(Path.Combine(outer.Path, "podlift-src")).FullName;

        Assert.That((await BuildVersionAsync(tree)).Informational, Is.EqualTo("0.1.0-dev"));
    }

    [Test]
    public async Task WhenGitIsMissing_ItIsTheDevelopmentFallback()
    {
        using var tree = new TempDirectory();
        await GitAsync(tree.Path, "init", "-q");
        await CommitAsync(tree.Path, "one");
        var emptyPath = Directory.CreateDirectory(Path.Combine(tree.Path, "no-git-here")).FullName;

        Assert.That((await BuildVersionAsync(tree.Path, path: emptyPath)).Informational, Is.EqualTo("0.1.0-dev"));
    }

    [Test]
    public async Task PodliftVersion_SetsItOutright()
    {
        using var tree = new TempDirectory();
        await GitAsync(tree.Path, "init", "-q");
        await CommitAsync(tree.Path, "one");

        Assert.That(await BuildVersionAsync(tree.Path, "-p:PodliftVersion=3.1.4+from-archive"), Is.EqualTo(new BuildVersion("3.1.4", "3.1.4+from-archive")));
    }

    private sealed record BuildVersion(string Version, string Informational);

    /// <summary>What MSBuild computes for a project in that tree with the repository's Directory.Build files.</summary>
    private static async Task<BuildVersion> BuildVersionAsync(string tree, string? property = null, string? path = null)
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets" })
            File.Copy(Path.Combine(RepositoryPaths.Root, file), Path.Combine(tree, file), overwrite: true);
        var project = Path.Combine(tree, "probe.proj");
        File.WriteAllText(project, "<Project><Import Project=\"Directory.Build.props\" /><Import Project=\"Directory.Build.targets\" /></Project>\n");
        // the copies are untracked: they do not make the tree dirty

        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var arguments = new List<string> { "msbuild", project, "-t:PodliftVersion", "-getProperty:Version", "-getProperty:InformationalVersion", "-nologo", "-nodeReuse:false" };
        if (property is not null) arguments.Add(property);
        var environment = path is null ? null : new Dictionary<string, string> { ["PATH"] = path };
        var result = await Shell.RunAsync(dotnet, arguments, tree, environment, TimeSpan.FromMinutes(2));
        Assert.That(result.ExitCode, Is.Zero, result.All);

        var properties = JsonDocument.Parse(result.Output).RootElement.GetProperty("Properties");
        return new BuildVersion(properties.GetProperty("Version").GetString()!, properties.GetProperty("InformationalVersion").GetString()!);
    }

    private static async Task CommitAsync(string tree, string message)
    {
        File.WriteAllText(Path.Combine(tree, "file"), message);
        await GitAsync(tree, "add", "file");
        await GitAsync(tree, "commit", "-q", "-m", message);
    }

    private static async Task<string> GitAsync(string tree, params string[] arguments)
    {
        var result = await Shell.RunAsync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "tag.gpgSign=false", "-c", "commit.gpgSign=false", .. arguments],
            tree, timeout: TimeSpan.FromMinutes(1));
        Assert.That(result.ExitCode, Is.Zero, result.All);
        return result.Output.Trim();
    }
}

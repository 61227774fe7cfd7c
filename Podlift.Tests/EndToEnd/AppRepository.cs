namespace Podlift.Tests.EndToEnd;

/// <summary>
/// A git repository holding the example app (FROM scratch + static busybox) and its podlift.yml,
/// where each test commits the version it deploys.
/// </summary>
public sealed class AppRepository : IDisposable
{
    private AppRepository(string directory) => Directory = directory;

    public string Directory { get; }

    public static async Task<AppRepository> CreateAsync(string app)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"podlift-e2e-{app}-{Guid.NewGuid():N}"[..40]);
        System.IO.Directory.CreateDirectory(directory);
        await Shell.MustAsync(Path.Combine(RepositoryPaths.ExampleApp, "prepare.sh"));
        foreach (var file in System.IO.Directory.EnumerateFiles(RepositoryPaths.ExampleApp, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryPaths.ExampleApp, file);
            if (relative is ".gitignore" or "podlift.yml" or "prepare.sh") continue;
            var target = Path.Combine(directory, relative);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
        var repository = new AppRepository(directory);
        await repository.GitAsync("init", "-q", "-b", "main");
        await repository.GitAsync("config", "user.name", "e2e tester");
        await repository.GitAsync("config", "user.email", "e2e@podlift.test");
        return repository;
    }

    /// <summary>Builds the app on a local base image instead of FROM scratch + busybox (the base must carry /bin/busybox).</summary>
    public async Task UseBaseImageAsync(string baseImage)
    {
        var dockerfile = Path.Combine(Directory, "Dockerfile");
        var text = File.ReadAllText(dockerfile);
        const string scratch = "FROM scratch\nCOPY busybox /bin/busybox\n";
        if (!text.Contains(scratch)) throw new InvalidOperationException($"{dockerfile} no longer starts FROM scratch + busybox");
        File.WriteAllText(dockerfile, text.Replace(scratch, $"FROM {baseImage}\n"));
        File.Delete(Path.Combine(Directory, "busybox"));
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "-m", $"build on {baseImage}");
    }

    public void WriteConfig(string yaml) => File.WriteAllText(Path.Combine(Directory, "podlift.yml"), yaml);

    /// <summary>Commits a version of the app: what /version answers, and whether /health exists.</summary>
    public async Task CommitVersionAsync(string version, bool healthy = true)
    {
        File.WriteAllText(Path.Combine(Directory, "www", "version"), version + "\n");
        var health = Path.Combine(Directory, "www", "health");
        if (healthy) File.WriteAllText(health, "ok\n");
        else File.Delete(health);
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "--allow-empty", "-m", $"version {version}");
    }

    public async Task<string> HeadShaAsync() => (await GitAsync("rev-parse", "--short=7", "HEAD")).Output.Trim();

    public Task<ShellResult> GitAsync(params string[] arguments) =>
        Shell.RunAsync("git", arguments, Directory).ContinueWith(t =>
            t.Result.ExitCode == 0 ? t.Result : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {t.Result.All}"));

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

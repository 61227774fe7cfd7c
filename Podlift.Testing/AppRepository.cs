namespace Podlift.Testing;

/// <summary>
/// A git repository holding the example app (FROM scratch + static busybox) and its podlift.yml,
/// where each test commits the version it deploys.
/// </summary>
public sealed class AppRepository : IDisposable
{
    private string? _baseImage;

    private AppRepository(string directory) => Directory = directory;

    public string Directory { get; }

    public static async Task<AppRepository> CreateAsync(string app)
    {
        await Shell.MustAsync(Path.Combine(RepositoryPaths.ExampleApp, "prepare.sh"));
        return await CreateFromAsync(RepositoryPaths.ExampleApp, app, [".gitignore", "podlift.yml", "prepare.sh"]);
    }

    /// <summary>A repository holding a copy of <paramref name="source"/> (one of the zoo's apps, say), with every replacement made in its files.</summary>
    public static async Task<AppRepository> CreateFromAsync(string source, string app, IReadOnlyCollection<string> leaveOut,
        IReadOnlyDictionary<string, string>? replacements = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"podlift-e2e-{app}-{Guid.NewGuid():N}"[..40]);
        System.IO.Directory.CreateDirectory(directory);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (leaveOut.Contains(relative) || relative.Contains("__pycache__")) continue;
            var target = Path.Combine(directory, relative);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
            foreach (var (from, to) in replacements ?? new Dictionary<string, string>())
                File.WriteAllText(target, File.ReadAllText(target).Replace(from, to));
        }
        var repository = new AppRepository(directory);
        await repository.GitAsync("init", "-q", "-b", "main");
        await repository.GitAsync("config", "user.name", "e2e tester");
        await repository.GitAsync("config", "user.email", "e2e@podlift.test");
        return repository;
    }

    /// <summary>
    /// Builds the app on a local base image instead of FROM scratch + busybox (the base must carry /bin/busybox);
    /// called again, on another base instead of the one before.
    /// </summary>
    public async Task UseBaseImageAsync(string baseImage)
    {
        if (baseImage == _baseImage) return;
        var dockerfile = Path.Combine(Directory, "Dockerfile");
        var text = File.ReadAllText(dockerfile);
        const string scratch = "FROM scratch\nCOPY busybox /bin/busybox\n";
        var current = _baseImage is null ? scratch : $"FROM {_baseImage}\n";
        var at = text.IndexOf(current, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException($"{dockerfile} no longer has {current.Trim()}");
        File.WriteAllText(dockerfile, $"{text[..at]}FROM {baseImage}\n{text[(at + current.Length)..]}");
        File.Delete(Path.Combine(Directory, "busybox"));
        _baseImage = baseImage;
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "-m", $"build on {baseImage}");
    }

    public void WriteConfig(string yaml) => File.WriteAllText(Path.Combine(Directory, "podlift.yml"), yaml);

    public void WriteFile(string relative, string text) => File.WriteAllText(Path.Combine(Directory, relative), text);

    public void DeleteFile(string relative) => File.Delete(Path.Combine(Directory, relative));

    /// <summary>Commits everything as it is now.</summary>
    public async Task<string> CommitAllAsync(string message)
    {
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "--allow-empty", "-m", message);
        return await HeadShaAsync();
    }

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

    /// <summary>
    /// `docker build` of the commit checked out, for this machine's platform, tagged as podlift names a release's image
    /// (name:short sha) and labelled with its version, so that `deploy --skip-build` finds it.
    /// </summary>
    public async Task<string> BuildImageAsync(string imageName)
    {
        var sha = await HeadShaAsync();
        var image = $"{imageName}:{sha}";
        var built = await Shell.RunAsync("docker", ["build", "-q", "--tag", image, "--label", $"podlift.version={sha}", "--file", Path.Combine(Directory, "Dockerfile"), Directory],
            environment: new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "0" });
        if (built.ExitCode != 0) throw new InvalidOperationException($"docker build failed: {built.All}");
        return image;
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

namespace Podlift.Testing;

/// <summary>
/// The zoo's images (deploy/testing/apps): a Debian base with python3-aiohttp, PostgreSQL 15 and nginx,
/// debootstrapped once and cached by recipe like the servers' rootfs, and PostgreSQL on top of it.
/// </summary>
public sealed record ZooImages(string Base, string Postgres)
{
    public static async Task<ZooImages> BuildAsync()
    {
        var built = await Shell.RunAsync(Path.Combine(RepositoryPaths.Apps, "build-images.sh"), [], timeout: TimeSpan.FromMinutes(15));
        if (built.ExitCode != 0) throw new InvalidOperationException($"building the zoo's images failed:\n{built.All}");
        var tags = built.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        HarnessLog.Write($"zoo images: {string.Join(", ", tags)}");
        return new ZooImages(tags.Single(t => t.StartsWith("podlift-zoo-base:")), tags.Single(t => t.StartsWith("podlift-zoo-postgres:")));
    }

    /// <summary>A repository with a copy of one of the zoo's apps, its Dockerfile built on the real base.</summary>
    public Task<AppRepository> RepositoryAsync(string zooApp, string app) =>
        AppRepository.CreateFromAsync(Path.Combine(RepositoryPaths.Apps, zooApp), app, [], new Dictionary<string, string> { ["FROM podlift-zoo-base:RECIPE"] = $"FROM {Base}" });
}

namespace Podlift.Testing;

/// <summary>Images the end-to-end tests build locally (no registry is reachable).</summary>
public static class TestImages
{
    /// <summary>A dependency stand-in: busybox httpd serving its /data volume on port 6379, logging each request.</summary>
    public const string Store = "podlift-e2e-store:1";

    public static async Task BuildStoreAsync()
    {
        var context = Path.Combine(Path.GetTempPath(), "podlift-e2e-store");
        Directory.CreateDirectory(context);
        await Shell.MustAsync(Path.Combine(RepositoryPaths.ExampleApp, "prepare.sh"));
        File.Copy(Path.Combine(RepositoryPaths.ExampleApp, "busybox"), Path.Combine(context, "busybox"), overwrite: true);
        File.WriteAllText(Path.Combine(context, "Dockerfile"), """
            FROM scratch
            COPY busybox /bin/busybox
            VOLUME /data
            EXPOSE 6379
            CMD ["/bin/busybox", "httpd", "-f", "-v", "-p", "6379", "-h", "/data"]
            """);
        var built = await Shell.RunAsync("docker", ["build", "-q", "-t", Store, context], environment: new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "0" });
        if (built.ExitCode != 0) throw new InvalidOperationException($"building {Store} failed:\n{built.All}");
    }

    /// <summary>Builds (once) a base image with one big layer of random bytes, busybox included: deploy/testing/bench/base-image.sh.</summary>
    public static async Task<string> BigBaseAsync(string tag, int megabytes) =>
        (await Shell.MustAsync(Path.Combine(RepositoryPaths.BenchScripts, "base-image.sh"), tag, megabytes.ToString())).Output.Trim();
}

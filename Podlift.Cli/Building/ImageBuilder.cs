using System.Diagnostics;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;

namespace Podlift.Cli.Building;

/// <summary>
/// The release's image for the servers' platforms, from the local Docker: first a check that it can be built for each
/// (before anything is built or sent), then one `docker build --platform` per platform, each image checked to be of
/// the platform asked for. With --skip-build, the images already built are checked instead.
/// </summary>
public sealed class ImageBuilder(LocalDocker docker, ConsoleOutput output)
{
    /// <summary>What <see cref="CheckAsync"/> found the local Docker can do; null when every image is for its own platform (until a build needs it).</summary>
    private BuildSupport? _support;

    public async Task CheckAsync(PodliftConfig config, PlatformPlan plan, bool skipBuild, CancellationToken cancellationToken)
    {
        foreach (var warning in plan.Warnings) output.Warn(warning);
        var servers = plan.Platforms.Select(p => $"{p}: {string.Join(", ", plan.ByServer.Where(s => s.Value == p).Select(s => s.Key.Host))}");
        if (skipBuild)
        {
            foreach (var platform in plan.Platforms) await RequireBuiltAsync(plan.LocalImage(platform), platform, cancellationToken);
            output.Ok($"images built for {string.Join("; ", servers)}");
            return;
        }
        var dockerfile = LocalDocker.DockerfileOf(config.ProjectDirectory);
        var engine = await docker.EngineAsync(cancellationToken);
        var native = Platform.OfImage(engine.Os, engine.Architecture)
                     ?? throw new ValidationException($"the local Docker engine is {engine.Os}/{engine.Architecture}: podlift builds linux/amd64 and linux/arm64 images",
                         "switch Docker to Linux containers");
        if (plan.Platforms.Any(p => p != native))
        {
            _support = await SupportAsync(engine, native, cancellationToken);
            var runs = DockerfileRuns.Of(await File.ReadAllTextAsync(dockerfile, cancellationToken));
            foreach (var platform in plan.Platforms)
                if (_support.Refusal(platform, runs, Path.GetRelativePath(config.ProjectDirectory, dockerfile)) is { } refusal) throw refusal;
        }
        output.Ok($"build for {string.Join("; ", servers)}{(plan.Platforms.All(p => p == native) ? "" : $" (the local Docker is {native})")}");
    }

    public async Task BuildAsync(PodliftConfig config, Release release, PlatformPlan plan, bool skipBuild, CancellationToken cancellationToken)
    {
        if (skipBuild)
        {
            foreach (var platform in plan.Platforms) output.Ok($"{plan.LocalImage(platform)} already built for {platform} (--skip-build)");
            return;
        }
        foreach (var platform in plan.Platforms)
        {
            var clock = Stopwatch.StartNew();
            var image = plan.LocalImage(platform);
            var brokenByCache = !await BuiltWithCacheAsync(config, release, image, platform, cancellationToken);
            var built = await docker.ImagePlatformAsync(image, cancellationToken);
            if (brokenByCache || built.Platform != platform && (await SupportAsync(cancellationToken)).RebuildsWithoutCache(platform, built.Platform))
            {
                output.Detail(brokenByCache
                    ? $"the build of {image} failed on a step cached for another platform by the classic builder, whose cache does not tell platforms apart (BuildKit's does): building it again without the cache"
                    : $"{image} came out {built.Written} from the classic builder's cache, which does not tell platforms apart (BuildKit's does): building it again without the cache");
                await docker.BuildAsync(config.ProjectDirectory, image, release.Version, platform, withoutCache: true, line => output.Detail(line), cancellationToken);
                built = await docker.ImagePlatformAsync(image, cancellationToken);
            }
            if (built.Platform != platform)
                throw new DeploymentException($"{image} was built for {platform}, but the image is {built.Written}: its servers could not run it",
                    "a FROM --platform=... in the Dockerfile, or a base image without a " + platform + " variant, decides it: build from one that has it");
            var size = await docker.ImageSizeAsync(image, cancellationToken) ?? 0;
            output.Ok($"{image} built for {platform} ({Format.Bytes(size)}, {Format.Duration(clock.Elapsed)})");
        }
    }

    /// <returns>False when the classic builder's cache of another platform broke the build (<see cref="BuildSupport.BrokenByItsCache"/>); other failures are thrown.</returns>
    private async Task<bool> BuiltWithCacheAsync(PodliftConfig config, Release release, string image, Platform platform, CancellationToken cancellationToken)
    {
        try
        {
            await docker.BuildAsync(config.ProjectDirectory, image, release.Version, platform, withoutCache: false, line => output.Detail(line), cancellationToken);
            return true;
        }
        catch (DeploymentException e) when (BuildSupport.BrokenByItsCache(e.Message))
        {
            return false;
        }
    }

    private async Task<BuildSupport> SupportAsync(LocalEngine engine, Platform native, CancellationToken cancellationToken)
    {
        var buildx = await LocalProcess.RunAsync("docker", ["buildx", "inspect"], cancellationToken: cancellationToken);
        return new BuildSupport(native, Emulated(engine, native, buildx), $"Docker {engine.Version} ({native})",
            BuildSupport.IsClassic(Environment.GetEnvironmentVariable("DOCKER_BUILDKIT"), buildx.Succeeded));
    }

    /// <summary>The support found by the check; asked only now when every image was for the local Docker's own platform.</summary>
    private async Task<BuildSupport> SupportAsync(CancellationToken cancellationToken)
    {
        if (_support is not null) return _support;
        var engine = await docker.EngineAsync(cancellationToken);
        var native = Platform.OfImage(engine.Os, engine.Architecture)!; // CheckAsync refused any other engine
        return _support = await SupportAsync(engine, native, cancellationToken);
    }

    private async Task RequireBuiltAsync(string image, Platform platform, CancellationToken cancellationToken)
    {
        var built = await docker.ImagePlatformAsync(image, cancellationToken);
        if (!built.Present)
            throw new ValidationException($"--skip-build, but there is no local image {image}", "deploy once without --skip-build to build it");
        if (built.Platform != platform)
            throw new ValidationException($"--skip-build, but the local image {image} is {built.Written}, and it is for servers of {platform}",
                "deploy without --skip-build: podlift builds it for their platform");
    }

    /// <summary>The platforms besides its own the local Docker can run programs of: Docker Desktop's, a buildx builder's, this Linux kernel's binfmt_misc.</summary>
    private IReadOnlySet<Platform> Emulated(LocalEngine engine, Platform native, ProcessOutput buildx)
    {
        var emulated = new HashSet<Platform>();
        if (engine.IsDockerDesktop) emulated.UnionWith(Platform.Supported);
        if (buildx.Succeeded) emulated.UnionWith(BuildSupport.FromBuildx(buildx.StandardOutput));
        if (OperatingSystem.IsLinux() && docker.IsUnixSocket && !engine.IsDockerDesktop) emulated.UnionWith(BuildSupport.FromBinfmt(BinfmtEntries()));
        emulated.Remove(native);
        output.Detail($"the local Docker ({native}) runs programs of: {(emulated.Count == 0 ? "no other platform" : string.Join(", ", emulated))}");
        return emulated;
    }

    private static IEnumerable<(string Name, string FirstLine)> BinfmtEntries()
    {
        const string directory = "/proc/sys/fs/binfmt_misc";
        if (!Directory.Exists(directory)) return [];
        try
        {
            return Directory.EnumerateFiles(directory).Where(path => Path.GetFileName(path) is not ("register" or "status"))
                .Select(path => (Path.GetFileName(path), File.ReadLines(path).FirstOrDefault() ?? "")).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

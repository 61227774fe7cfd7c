using Podlift.Cli.Errors;

namespace Podlift.Cli.Building;

/// <summary>
/// What the local Docker can build for: its own platform always; another one when it can run that platform's programs
/// (Docker Desktop's emulation, QEMU registered with the kernel through binfmt_misc, a BuildKit builder that lists it),
/// or when the Dockerfile runs nothing on it (FROM scratch and COPY only).
/// </summary>
/// <param name="Native">The platform of the local Docker engine (docker version's Os/Arch).</param>
/// <param name="Emulated">The other platforms whose programs it can run.</param>
/// <param name="Builder">What the local Docker is, for messages: "Docker 20.10.24 (linux/amd64)".</param>
/// <param name="Classic">`docker build` is the classic builder (no buildx, or DOCKER_BUILDKIT=0), not BuildKit.</param>
public sealed record BuildSupport(Platform Native, IReadOnlySet<Platform> Emulated, string Builder, bool Classic = false)
{
    public bool CanRun(Platform platform) => platform == Native || Emulated.Contains(platform);

    /// <summary>
    /// The classic builder's cache does not tell platforms apart: a FROM scratch step cached from a build for one
    /// platform is taken for another one (either way round), and the image comes out of the wrong platform. Such a build is done again
    /// without the cache. Not always: a build without the cache makes new layers even of unchanged files (their
    /// directories' times), so the next version would be sent whole instead of by its changed layers. BuildKit's
    /// cache knows the platform. Pure.
    /// </summary>
    /// <param name="built">The platform the image built with the cache came out as; null: another one.</param>
    public bool RebuildsWithoutCache(Platform target, Platform? built) => Classic && built != target;

    /// <summary>
    /// The other way the classic builder's cache shows it does not tell platforms apart: the build fails at the first step
    /// not cached, its parent being a cached image of another platform ("... was found but does not match the specified
    /// platform"). Such a build is done again without the cache, as <see cref="RebuildsWithoutCache"/> says. Pure.
    /// </summary>
    /// <param name="failure">The failed build's message, with the last lines it printed.</param>
    public static bool BrokenByItsCache(string failure) => failure.Contains("does not match the specified platform", StringComparison.Ordinal);

    /// <summary>Whether `docker build` is BuildKit: DOCKER_BUILDKIT=0 asks for the classic builder, and without buildx it is the only one. Pure.</summary>
    public static bool IsClassic(string? dockerBuildkit, bool buildxInstalled) => dockerBuildkit == "0" || !buildxInstalled;

    /// <summary>Why building <paramref name="target"/> from a Dockerfile with those stages cannot work here; null when it can. Pure.</summary>
    public ValidationException? Refusal(Platform target, IReadOnlyList<StageRuns> runs, string dockerfile)
    {
        var needed = runs.Select(stage => stage.On switch
            {
                RunsOn.Target => target,
                RunsOn.Named => stage.Named!,
                _ => Native,
            })
            .Distinct().Where(platform => !CanRun(platform)).ToList();
        if (needed.Count == 0) return null;
        var platform = needed[0];
        return new ValidationException(
            $"{dockerfile} runs commands (RUN) for {platform}, and the local Docker, {Builder}, cannot run {platform.Architecture} programs: " +
            $"the image for {target} cannot be built here; nothing was built or sent",
            $"let Docker emulate {platform.Architecture}: Docker Desktop does it already; on Linux register QEMU " +
            $"(`docker run --privileged --rm tonistiigi/binfmt --install {platform.Architecture}`, or apt-get install qemu-user-static binfmt-support); " +
            $"or build on an {platform.Architecture} machine, or move the RUN steps to a `FROM --platform=$BUILDPLATFORM` stage");
    }

    /// <summary>
    /// The platforms a Linux kernel's binfmt_misc entries run (qemu-aarch64, qemu-x86_64: the names QEMU's packages and
    /// tonistiigi/binfmt register), from the entry files' names and first lines. Pure.
    /// </summary>
    public static IReadOnlySet<Platform> FromBinfmt(IEnumerable<(string Name, string FirstLine)> entries) =>
        entries.Where(entry => entry.FirstLine.Trim() == "enabled")
            .Select(entry => entry.Name switch
            {
                var name when name.Contains("aarch64", StringComparison.Ordinal) => Platform.Arm64,
                var name when name.Contains("x86_64", StringComparison.Ordinal) => Platform.Amd64,
                _ => null,
            })
            .OfType<Platform>().ToHashSet();

    /// <summary>The platforms `docker buildx inspect` lists ("Platforms: linux/amd64, linux/amd64/v2, linux/arm64, ..."). Pure.</summary>
    public static IReadOnlySet<Platform> FromBuildx(string inspect) =>
        inspect.Split('\n').Select(line => line.Trim())
            .Where(line => line.StartsWith("Platforms:", StringComparison.Ordinal))
            .SelectMany(line => line["Platforms:".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(name => Platform.Parse(name.TrimEnd('*')))
            .OfType<Platform>().ToHashSet();
}

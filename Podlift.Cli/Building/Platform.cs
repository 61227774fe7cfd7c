namespace Podlift.Cli.Building;

/// <summary>
/// A platform podlift builds images for, as Docker names it (`docker build --platform linux/arm64`, an image's
/// Os/Architecture): the two a podlift-agent runs on.
/// </summary>
public sealed record Platform(string Architecture)
{
    public static readonly Platform Amd64 = new("amd64");
    public static readonly Platform Arm64 = new("arm64");
    public static readonly IReadOnlyList<Platform> Supported = [Amd64, Arm64];

    /// <summary>linux/amd64.</summary>
    public string Name => $"linux/{Architecture}";

    public override string ToString() => Name;

    /// <summary>
    /// A server's platform from what its agent reports (.NET's name of the OS architecture: x64, arm64), or what
    /// `uname -m` or Docker says (x86_64, aarch64, amd64); null for one podlift does not build for. Pure.
    /// </summary>
    public static Platform? OfServer(string architecture) => architecture.Trim().ToLowerInvariant() switch
    {
        "x64" or "x86_64" or "amd64" => Amd64,
        "arm64" or "aarch64" => Arm64,
        _ => null,
    };

    /// <summary>linux/amd64 or linux/arm64 (linux/arm64/v8 is arm64 too), as builder.platform writes it; null otherwise. Pure.</summary>
    public static Platform? Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split('/');
        if (parts is not (["linux", _] or ["linux", "arm64", "v8"])) return null;
        return Supported.FirstOrDefault(platform => platform.Architecture == parts[1]);
    }

    /// <summary>An image's platform from `docker image inspect` (Os, Architecture); null for another one. Pure.</summary>
    public static Platform? OfImage(string? os, string? architecture) =>
        os == "linux" && architecture is not null ? Supported.FirstOrDefault(platform => platform.Architecture == architecture) : null;
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;

namespace Podlift.Cli.Building;

/// <summary>
/// Which platform each server's image is built for: the server's own, as its agent reports it, unless
/// builder.platform says otherwise; and the local image of each platform. One platform (the usual fleet): the image
/// is the release's, myapp:abc1234. Several: one local image each, myapp:abc1234-arm64, and every server still gets
/// it as myapp:abc1234, the name its agent prunes and rolls back by. Pure.
/// </summary>
public sealed record PlatformPlan(IReadOnlyDictionary<ServerConfig, Platform> ByServer, IReadOnlyList<Platform> Platforms, string Image,
    IReadOnlyList<string> Warnings)
{
    /// <summary>More than one platform: the servers get different images under the same name.</summary>
    public bool Mixed => Platforms.Count > 1;

    /// <summary>The local image built for a platform (and the name it is pushed as).</summary>
    public string LocalImage(Platform platform) => Mixed ? OfPlatform(Image, platform) : Image;

    /// <summary>myapp:abc1234-arm64: a mixed fleet's image of one platform.</summary>
    private static string OfPlatform(string image, Platform platform) => $"{image}-{platform.Architecture}";

    /// <summary>
    /// The names a release's image for a server of that platform may have been pushed as: the release's own (a fleet of
    /// one platform), else its platform's (a mixed fleet). A rollback that pulls a pruned image back tries them in turn.
    /// </summary>
    public static IReadOnlyList<string> PushedNames(string image, Platform? platform) => platform is null ? [image] : [image, OfPlatform(image, platform)];

    public Platform For(ServerConfig server) => ByServer[server];

    /// <param name="servers">Each server with the architecture its agent reported in Hello.</param>
    /// <param name="image">The release's image, name:tag.</param>
    public static PlatformPlan Decide(IReadOnlyList<(ServerConfig Server, string Architecture)> servers, Platform? configured, string image)
    {
        var byServer = new Dictionary<ServerConfig, Platform>();
        var warnings = new List<string>();
        foreach (var (server, architecture) in servers)
        {
            var own = Platform.OfServer(architecture);
            if (configured is not null)
            {
                if (own != configured)
                    warnings.Add($"builder.platform is {configured}, but {server.Host} is {(own?.Name ?? architecture)}: its containers run only if that server emulates {configured.Architecture}");
                byServer[server] = configured;
            }
            else
            {
                byServer[server] = own ?? throw new ValidationException(
                    $"{server.Host}: its agent reports the architecture {architecture}, and podlift builds images for {string.Join(" and ", Platform.Supported)} only",
                    "set builder.platform in podlift.yml to the platform the server runs");
            }
        }
        var platforms = servers.Select(s => byServer[s.Server]).Distinct().ToList();
        return new PlatformPlan(byServer, platforms, image, warnings);
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Podlift.Cli.Local;

/// <summary>
/// Where the local Docker engine answers, found as the docker command finds it, so that the engine podlift talks to is
/// the one `docker build` used: DOCKER_HOST; else the docker context (DOCKER_CONTEXT, else the currentContext of
/// config.json in DOCKER_CONFIG or ~/.docker) with its endpoint in contexts/meta/&lt;sha256 of its name&gt;/meta.json
/// (Colima, OrbStack and Rancher Desktop make one); else the first socket there is of /var/run/docker.sock, Docker
/// Desktop's ~/.docker/run/docker.sock (macOS, when the default socket is not allowed) and ~/.docker/desktop/docker.sock
/// (Linux). Pure: the environment and the files come in as functions.
/// </summary>
public static class DockerEndpoint
{
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    public static string Resolve(Func<string, string?> environment, string home, Func<string, bool> exists, Func<string, string?> read)
    {
        if (environment("DOCKER_HOST") is { Length: > 0 } host) return host;
        var configDirectory = environment("DOCKER_CONFIG") is { Length: > 0 } config ? config : Path.Combine(home, ".docker");
        var context = environment("DOCKER_CONTEXT") is { Length: > 0 } named ? named : CurrentContext(read(Path.Combine(configDirectory, "config.json")));
        if (context is { Length: > 0 } and not "default"
            && ContextHost(read(Path.Combine(configDirectory, "contexts", "meta", Sha256(context), "meta.json"))) is { } contextHost)
            return contextHost;
        string[] sockets = ["/var/run/docker.sock", Path.Combine(home, ".docker", "run", "docker.sock"), Path.Combine(home, ".docker", "desktop", "docker.sock")];
        return sockets.FirstOrDefault(exists) is { } socket ? $"unix://{socket}" : DefaultSocket;
    }

    /// <summary>This machine's.</summary>
    public static string OfThisMachine() => Resolve(Environment.GetEnvironmentVariable,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), File.Exists, path => File.Exists(path) ? File.ReadAllText(path) : null);

    private static string? CurrentContext(string? configJson) =>
        Property(configJson, root => root.TryGetProperty("currentContext", out var current) ? current.GetString() : null);

    private static string? ContextHost(string? metaJson) =>
        Property(metaJson, root => root.TryGetProperty("Endpoints", out var endpoints) && endpoints.TryGetProperty("docker", out var docker)
                                   && docker.TryGetProperty("Host", out var host) ? host.GetString() : null);

    /// <summary>A value read from a JSON file; null when there is no file, it is not JSON, or the value is missing.</summary>
    private static string? Property(string? json, Func<JsonElement, string?> select)
    {
        if (json is null) return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && select(document.RootElement) is { Length: > 0 } value ? value : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

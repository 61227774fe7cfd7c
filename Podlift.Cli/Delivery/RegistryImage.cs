namespace Podlift.Cli.Delivery;

/// <summary>Names of an app image in a registry. Pure.</summary>
public static class RegistryImage
{
    /// <summary>
    /// registry.example.com:5000 and myapp:abc1234 → registry.example.com:5000/myapp:abc1234. An image that
    /// already starts with the registry (image: ghcr.io/me/myapp, server: ghcr.io) keeps its name.
    /// </summary>
    public static string Reference(string server, string image) =>
        image.StartsWith(server + "/", StringComparison.OrdinalIgnoreCase) ? image : $"{server}/{image}";

    /// <summary>The address Docker logs in to: Docker Hub's is its v1 index, any other registry's is its host.</summary>
    public static string LoginAddress(string server) =>
        server.ToLowerInvariant() is "docker.io" or "index.docker.io" or "registry-1.docker.io" ? "https://index.docker.io/v1/" : server;
}

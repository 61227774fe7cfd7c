namespace Podlift.Protocol;

/// <summary>
/// Container names. While two versions run side by side, each container carries its version:
/// &lt;app&gt;-&lt;service&gt;-&lt;version&gt;-&lt;n&gt;, as the guide shows them. Once a version is live, its containers carry
/// the stable name &lt;app&gt;-&lt;service&gt;-&lt;n&gt;, so `docker exec myapp-web-1 ...` (in a hook, or at the server's
/// shell) always reaches replica 1 of what serves; superseded versions get their versioned names back.
/// </summary>
public static class ContainerNames
{
    public static string For(string app, string service, string version, int replica) => $"{app}-{service}-{version}-{replica}";

    public static string Live(string app, string service, int replica) => $"{app}-{service}-{replica}";

    /// <summary>A running container that is being replaced by one of the same name is moved aside to this name.</summary>
    public static string Replaced(string name, DateTimeOffset at) => $"{name}-replaced-{at.ToUnixTimeSeconds()}";

    /// <summary>The one-off container that runs a deploy's release command.</summary>
    public static string Release(string app, string version) => $"{app}-release-{version}";

    /// <summary>A dependency's old container, stopped and kept while its recreated one proves itself.</summary>
    public static string Superseded(string dependencyContainer) => $"{dependencyContainer}-previous";

    /// <summary>A dependency's container: &lt;app&gt;-&lt;dependency&gt;.</summary>
    public static string Dependency(string app, string dependency) => $"{app}-{dependency}";
}

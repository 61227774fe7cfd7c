namespace Podlift.Agent.Deploy;

/// <summary>Container names as the guide shows them: &lt;app&gt;-&lt;service&gt;-&lt;version&gt;-&lt;n&gt;.</summary>
public static class ContainerNames
{
    public static string For(string app, string service, string version, int replica) => $"{app}-{service}-{version}-{replica}";

    /// <summary>A running container that is being replaced by one of the same name is moved aside to this name.</summary>
    public static string Replaced(string name, DateTimeOffset at) => $"{name}-replaced-{at.ToUnixTimeSeconds()}";
}

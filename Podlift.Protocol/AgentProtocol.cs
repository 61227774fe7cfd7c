namespace Podlift.Protocol;

/// <summary>Constants both sides of the wire agree on.</summary>
public static class AgentProtocol
{
    /// <summary>
    /// Bumped only on an incompatible change to agent.proto. An added field or RPC does not bump it: an agent that must
    /// act on it says so with a capability (<see cref="Capabilities"/>), which the CLI checks first.
    /// </summary>
    public const int Version = 2;

    public const string SocketPath = "/run/podlift/agent.sock";
    public const string SocketGroup = "podlift";

    /// <summary>
    /// certbot's webroot, from which every podlift site answers ACME HTTP-01 challenges. Outside
    /// /var/lib/podlift, which is root-only: nginx's workers must read it.
    /// </summary>
    public const string AcmeWebroot = "/var/www/podlift-acme";
}

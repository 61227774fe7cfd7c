namespace Podlift.Protocol;

/// <summary>Constants both sides of the wire agree on.</summary>
public static class AgentProtocol
{
    /// <summary>Bumped only on an incompatible change to agent.proto.</summary>
    public const int Version = 1;

    public const string SocketPath = "/run/podlift/agent.sock";
    public const string SocketGroup = "podlift";
}

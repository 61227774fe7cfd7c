using Podlift.Protocol;

namespace Podlift.Agent.Rpc;

/// <summary>A failure the agent reports to the client with its reason; <see cref="ErrorInterceptor"/> makes it the call's status.</summary>
public sealed class AgentFailure(AgentErrorReason reason, string message) : Exception(message)
{
    public AgentErrorReason Reason { get; } = reason;
}

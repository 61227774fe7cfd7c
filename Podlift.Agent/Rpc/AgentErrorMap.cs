using Docker.DotNet;
using Podlift.Agent.Deploy;
using Podlift.Agent.Operate;
using Podlift.Agent.Proxy;
using Podlift.Protocol;

namespace Podlift.Agent.Rpc;

/// <summary>What the client is told of a failure: its reason and a message for a person.</summary>
public sealed record AgentError(AgentErrorReason Reason, string Message);

/// <summary>The agent's exceptions as the errors the client gets. Pure.</summary>
public static class AgentErrorMap
{
    /// <summary>Null: not a failure the agent reports; gRPC answers Unknown and logs it.</summary>
    public static AgentError? For(Exception error) => error switch
    {
        AgentFailure failure => new(failure.Reason, failure.Message),
        AppLockedException => new(AgentErrorReason.AppLocked, error.Message),
        RollbackRefused => new(AgentErrorReason.RollbackRefused, error.Message),
        FileNotFoundException => new(AgentErrorReason.NotFound, error.Message), // Attach: no journal of that job
        ContainerLookupException => new(AgentErrorReason.ContainerNotFound, error.Message),
        BadExecRequestException => new(AgentErrorReason.InvalidRequest, error.Message),
        DockerApiException => new(AgentErrorReason.DockerRefused, $"Docker refused: {error.Message}"),
        ProxyException => new(AgentErrorReason.ProxyFailed, error.Message),
        _ => null,
    };
}

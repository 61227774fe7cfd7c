using Grpc.Core;
using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Remote;

/// <summary>One RPC as errors name it: its name in agent.proto, and what it does in words ("the image transfer").</summary>
public sealed record AgentCall(string Rpc, string Activity);

/// <summary>
/// A failed agent call as podlift's error; its exit code follows from what the agent said (<see cref="AgentCallErrors"/>).
/// <see cref="Reason"/> is kept for the few callers that act on one outcome (a refused partial image, a registry's
/// refusal); <see cref="AgentErrorReason.None"/>: the agent gave none, the connection or gRPC itself failed.
/// </summary>
public sealed class AgentCallException(AgentErrorReason reason, bool connectionLost, string detail, string message, string? fix, ExitCode exitCode)
    : PodliftException(message, fix, exitCode)
{
    public AgentErrorReason Reason { get; } = reason;

    /// <summary>The connection to the agent broke (or nothing answered): whatever the call started may go on there.</summary>
    public bool ConnectionLost { get; } = connectionLost;

    /// <summary>What the agent (or gRPC) said, without the host.</summary>
    public string Detail { get; } = detail;
}

/// <summary>
/// What a failed agent call means for the user and what to do about it: the one translation of gRPC failures, by the
/// reason the agent sent (<see cref="AgentErrors"/>), and the one policy for an agent older than this podlift (an RPC it
/// answers Unimplemented). Pure.
/// </summary>
public static class AgentCallErrors
{
    /// <summary>What to do about a deploy refused because another job of the app runs (the agent's lock).</summary>
    public const string AppLockedFix = "nothing was changed; wait for it to finish (`podlift attach` follows it), then try again";

    public static AgentCallException Translate(string host, AgentCall call, RpcException error)
    {
        var reason = AgentErrors.ReasonOf(error);
        var detail = error.Status.Detail;
        var lost = reason == AgentErrorReason.None && error.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled or StatusCode.DeadlineExceeded;
        var (message, fix, exitCode) = reason switch
        {
            AgentErrorReason.None when error.StatusCode == StatusCode.Unimplemented => (
                $"{host}: this podlift-agent does not know `{call.Rpc}`: it is older than this podlift ({CliVersion.Current})",
                CapabilityCheck.Fix, ExitCode.Connection),
            AgentErrorReason.None when lost => (
                $"{host}: the connection to the agent was lost during {call.Activity}", "check the network, then try again", ExitCode.Connection),
            AgentErrorReason.None => (
                $"{host}: `{call.Rpc}` failed: {(detail.Length > 0 ? detail : error.StatusCode.ToString())}",
                "check the connection to the server, and `journalctl -u podlift-agent` there", ExitCode.Connection),
            AgentErrorReason.InvalidRequest => (
                $"{host}: the agent refused the {call.Rpc} request: {detail}",
                "nothing was changed; fix that value in podlift.yml, or upgrade the agent (`podlift agent install`) if this podlift is newer", ExitCode.Validation),
            AgentErrorReason.AppLocked => ($"{host}: {detail}", AppLockedFix, ExitCode.Deployment),
            AgentErrorReason.RollbackRefused => (
                $"{host}: {detail}", "nothing was changed; `podlift ps --all` shows the versions on the servers", ExitCode.Validation),
            AgentErrorReason.NotFound => ($"{host}: {detail}", null, ExitCode.Validation),
            AgentErrorReason.NotDeployed => ($"{host}: {detail}", "run `podlift deploy`, then this command again", ExitCode.Validation),
            AgentErrorReason.ContainerNotFound => (
                $"{host}: {detail}", "`podlift ps` shows what runs there; `podlift deploy` deploys the current commit", ExitCode.Validation),
            AgentErrorReason.JobNotStarted => (
                $"{host}: {detail}", "nothing was changed; `journalctl -u podlift-agent` on the server says more", ExitCode.Deployment),
            AgentErrorReason.ImageRefused => (
                $"{host}: the image transfer failed: {detail}", "check free disk space on the server, then deploy again", ExitCode.Deployment),
            AgentErrorReason.RegistryFailed => (
                $"{host}: the pull from the registry failed: {detail}", "check the registry, then deploy again", ExitCode.Deployment),
            AgentErrorReason.DockerRefused => ($"{host}: {detail}", "`journalctl -u podlift-agent` on the server says more", ExitCode.Deployment),
            AgentErrorReason.ProxyFailed => ($"{host}: {detail}", "`sudo nginx -t` on the server shows what nginx refuses", ExitCode.Deployment),
            _ => ($"{host}: {detail}", null, ExitCode.General),
        };
        return new AgentCallException(reason, lost, detail, message, fix, exitCode);
    }
}

using Grpc.Core;
using Podlift.Cli.Errors;

namespace Podlift.Cli.Remote;

/// <summary>What a failed agent call (other than a deploy) means for the user, and what to do about it.</summary>
public static class AgentCallErrors
{
    public static PodliftException Translate(string host, string call, RpcException error) => error.StatusCode switch
    {
        StatusCode.Unimplemented => new ConnectionException(
            $"{host}: this podlift-agent does not know `{call}` (it is older than this podlift, {CliVersion.Current})",
            "upgrade it in place with `podlift agent install`"),
        StatusCode.InvalidArgument => new ValidationException($"{host}: the agent refused the {call} request: {error.Status.Detail}",
            "nothing was changed; fix that value in podlift.yml, or upgrade the agent (`podlift agent install`) if this podlift is newer"),
        StatusCode.FailedPrecondition => new ValidationException($"{host}: {error.Status.Detail}",
            "`podlift ps` shows what runs there; `podlift deploy` deploys the current commit"),
        _ => new ConnectionException($"{host}: `{call}` failed: {(error.Status.Detail is { Length: > 0 } detail ? detail : error.StatusCode.ToString())}",
            "check the connection to the server, and `journalctl -u podlift-agent` there"),
    };
}

using Grpc.Core;

namespace Podlift.Protocol;

/// <summary>
/// Why the agent refused or failed a call: one value per failure it reports, so the CLI never reads a gRPC status
/// code for what it means (FailedPrecondition alone covered four different things). The agent sends it beside the
/// status, in the <see cref="AgentErrors.ReasonTrailer"/> trailer; the message says the rest, for a person.
/// </summary>
public enum AgentErrorReason
{
    /// <summary>No reason came with the failure: the connection broke, or gRPC itself failed, not the agent's logic.</summary>
    None,

    /// <summary>A request the agent will not take: a field the validator refuses, a stream that starts wrong.</summary>
    InvalidRequest,

    /// <summary>Another deploy or rollback of the app runs; the message names it.</summary>
    AppLocked,

    /// <summary>The rollback cannot be done (no such version, its image is gone, no recorded plan); nothing was touched.</summary>
    RollbackRefused,

    /// <summary>Nothing is recorded of what the call names (a job to attach to, a deploy waiting for the primary).</summary>
    NotFound,

    /// <summary>The app serves nothing on this server yet (ApplyProxy before a deploy).</summary>
    NotDeployed,

    /// <summary>Logs or exec: the app, service, dependency or replica does not run there.</summary>
    ContainerNotFound,

    /// <summary>A deploy or rollback job could not write its journal or plan (a full disk): it did not start.</summary>
    JobNotStarted,

    /// <summary>The server's Docker refused to load a pushed image (a partial one lacking a layer, a full disk).</summary>
    ImageRefused,

    /// <summary>The server's Docker could not pull from the registry; the message is Docker's (see <see cref="RegistryErrors"/>).</summary>
    RegistryFailed,

    /// <summary>The Docker Engine API refused a call.</summary>
    DockerRefused,

    /// <summary>nginx refused its new config or could not reload.</summary>
    ProxyFailed,
}

/// <summary>
/// How a reason travels: its name in the trailer, and the one gRPC status code that goes with it (for anything
/// that reads only the status). Both sides use this table; a reason added here is handled by the CLI in
/// Podlift.Cli/Remote/AgentCallErrors.cs.
/// </summary>
public static class AgentErrors
{
    public const string ReasonTrailer = "podlift-reason";

    private static readonly IReadOnlyDictionary<AgentErrorReason, (string Name, StatusCode Status)> Table =
        new Dictionary<AgentErrorReason, (string, StatusCode)>
        {
            [AgentErrorReason.InvalidRequest] = ("invalid-request", StatusCode.InvalidArgument),
            [AgentErrorReason.AppLocked] = ("app-locked", StatusCode.Aborted),
            [AgentErrorReason.RollbackRefused] = ("rollback-refused", StatusCode.FailedPrecondition),
            [AgentErrorReason.NotFound] = ("not-found", StatusCode.NotFound),
            [AgentErrorReason.NotDeployed] = ("not-deployed", StatusCode.FailedPrecondition),
            [AgentErrorReason.ContainerNotFound] = ("container-not-found", StatusCode.FailedPrecondition),
            [AgentErrorReason.JobNotStarted] = ("job-not-started", StatusCode.FailedPrecondition),
            [AgentErrorReason.ImageRefused] = ("image-refused", StatusCode.FailedPrecondition),
            // never Unavailable: to the CLI that means the connection to the agent was lost, not the registry
            [AgentErrorReason.RegistryFailed] = ("registry-failed", StatusCode.FailedPrecondition),
            [AgentErrorReason.DockerRefused] = ("docker-refused", StatusCode.Internal),
            [AgentErrorReason.ProxyFailed] = ("proxy-failed", StatusCode.Internal),
        };

    public static string Name(AgentErrorReason reason) => Table.TryGetValue(reason, out var entry) ? entry.Name : "";

    public static StatusCode StatusOf(AgentErrorReason reason) => Table.TryGetValue(reason, out var entry) ? entry.Status : StatusCode.Unknown;

    /// <summary>The reason a trailer names; None for none, or for one this build does not know (a newer agent's).</summary>
    public static AgentErrorReason Parse(string? name)
    {
        foreach (var (reason, entry) in Table)
            if (entry.Name == name) return reason;
        return AgentErrorReason.None;
    }

    /// <summary>What the agent throws to the client: the reason's status, the message, and the reason in the trailer.</summary>
    public static RpcException Exception(AgentErrorReason reason, string message) =>
        new(new Status(StatusOf(reason), message), new Metadata { { ReasonTrailer, Name(reason) } });

    /// <summary>The reason a failed call came with.</summary>
    public static AgentErrorReason ReasonOf(RpcException error) => Parse(error.Trailers.GetValue(ReasonTrailer));
}

using Podlift.Agent.Rpc;
using Podlift.Protocol;

namespace Podlift.Agent.Docker;

/// <summary>
/// A Docker call given a deadline, for a daemon that hangs: a missed deadline is DockerRefused, read the same way
/// wherever it is reported. The caller's own cancellation is not a missed deadline.
/// </summary>
public static class DockerDeadline
{
    /// <summary>What a missed deadline means, and where to look.</summary>
    public const string Means = "it hangs or is overloaded; `systemctl status docker` on the server says more";

    /// <param name="missed">What the error says before <see cref="Means"/>: "Docker did not answer within 10 s".</param>
    public static async Task<T> WithinAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan within, string missed, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(within);
        try
        {
            return await call(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AgentFailure(AgentErrorReason.DockerRefused, $"{missed}: {Means}");
        }
    }

    public static Task WithinAsync(Func<CancellationToken, Task> call, TimeSpan within, string missed, CancellationToken cancellationToken) =>
        WithinAsync(async token => { await call(token); return true; }, within, missed, cancellationToken);
}

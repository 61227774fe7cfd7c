using System.Collections.Concurrent;

namespace Podlift.Agent.Deploy;

/// <summary>
/// The CLI's answer to a server waiting: for the primary's load balancer (a hand-off), or, in an atomic rollout,
/// for every server to be ready. NoAnswer: none came in time, so the primary may or may not route here already.
/// <see cref="Others"/>: to the primary of an atomic rollout, every other server's new backends.
/// </summary>
public sealed record SwitchAnswer(bool Proceed, string Reason, bool NoAnswer = false)
{
    public IReadOnlyList<Podlift.Protocol.ServerBackends> Others { get; init; } = [];
}

/// <summary>Where a non-primary server's deploy waits for the CLI to say the primary's upstream has its new containers.</summary>
public sealed class SwitchGate
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<SwitchAnswer>> _waiting = new();

    public async Task<SwitchAnswer> WaitAsync(string deployId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = _waiting.GetOrAdd(deployId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            return await signal.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return new SwitchAnswer(false, $"no word from the CLI within {timeout.TotalMinutes:0} minutes", NoAnswer: true);
        }
        finally
        {
            _waiting.TryRemove(deployId, out _);
        }
    }

    /// <summary>False when no deploy with that id is waiting.</summary>
    public bool Release(string deployId, bool proceed, string reason, IReadOnlyList<Podlift.Protocol.ServerBackends>? others = null) =>
        _waiting.TryGetValue(deployId, out var signal) && signal.TrySetResult(new SwitchAnswer(proceed, reason) { Others = others ?? [] });
}

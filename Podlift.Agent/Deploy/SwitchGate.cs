using System.Collections.Concurrent;

namespace Podlift.Agent.Deploy;

/// <summary>Where a non-primary server's deploy waits for the CLI to say the primary's upstream has its new containers.</summary>
public sealed class SwitchGate
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(bool Proceed, string Reason)>> _waiting = new();

    public async Task<(bool Proceed, string Reason)> WaitAsync(string deployId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = _waiting.GetOrAdd(deployId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            return await signal.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return (false, $"no word from the CLI within {timeout.TotalMinutes:0} minutes");
        }
        finally
        {
            _waiting.TryRemove(deployId, out _);
        }
    }

    /// <summary>False when no deploy with that id is waiting.</summary>
    public bool Release(string deployId, bool proceed, string reason) =>
        _waiting.TryGetValue(deployId, out var signal) && signal.TrySetResult((proceed, reason));
}

using System.Diagnostics;

namespace Podlift.Agent.Docker;

/// <summary>
/// How long a watched call has made no progress. Shared between the call's side (a stream Docker reads, a progress
/// callback) and the watch, so it is thread-safe.
/// </summary>
public sealed class CallProgress
{
    private long _lastMoved = Stopwatch.GetTimestamp();
    private int _waitingForInput;
    private int _inputEnded = 1;

    /// <summary>Docker did something: it took bytes, or reported.</summary>
    public void Moved() => Interlocked.Exchange(ref _lastMoved, Stopwatch.GetTimestamp());

    /// <summary>The call feeds Docker an input, not taken in full yet (a load): Docker must keep taking it.</summary>
    public bool TakesInput => Volatile.Read(ref _inputEnded) == 0;

    /// <summary>Since Docker last did something; zero while the call waits for its own input, which is not Docker's delay.</summary>
    public TimeSpan Idle => Volatile.Read(ref _waitingForInput) == 1 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastMoved));

    internal void InputBegins() => Volatile.Write(ref _inputEnded, 0);

    internal void InputEnded() => Volatile.Write(ref _inputEnded, 1);

    internal void WaitingForInput(bool waiting)
    {
        Volatile.Write(ref _waitingForInput, waiting ? 1 : 0);
        if (!waiting) Moved();
    }
}

using Podlift.Agent.Rpc;
using Podlift.Protocol;

namespace Podlift.Agent.Docker;

/// <summary>
/// Bounds Docker calls by whether Docker still answers. A `docker load` (the image streams in for as long as it takes)
/// and a pull have no deadline of their own; every other call has Docker.DotNet's 100 s, which a job would wait out once
/// per call. A daemon that stops in the middle of one (it hangs, or was stopped) would leave the call, and the deploy,
/// waiting without end or for minutes. Whenever the call has made no progress for <see cref="Limits.Quiet"/>, the
/// daemon is pinged (/_ping runs nothing): one that does not answer within <see cref="Limits.PingWithin"/> ends the
/// call. A daemon that answers but takes none of a load's input for <see cref="Limits.TakeWithin"/> (its disk hangs)
/// ends it too. Time the call spends waiting for its input (the image arriving over the network) is not Docker's.
/// A slow daemon that answers is waited for: registering a big image's layers takes long and reports nothing.
/// </summary>
public sealed class DockerWatch(Func<CancellationToken, Task> ping, DockerWatch.Limits? limits = null)
{
    public sealed record Limits(TimeSpan Quiet, TimeSpan PingWithin, TimeSpan TakeWithin)
    {
        public static readonly Limits Default = new(TimeSpan.FromSeconds(10), DockerVersionCache.DefaultAnswerWithin, TimeSpan.FromMinutes(2));
    }

    /// <summary>After a call was ended, how long it may take to give up (a cancelled HTTP request closes its connection).</summary>
    private static readonly TimeSpan EndWithin = TimeSpan.FromSeconds(5);

    private readonly Limits _limits = limits ?? Limits.Default;

    /// <summary>A `docker load` of <paramref name="input"/>: each read Docker makes of it is progress.</summary>
    public Task<T> LoadAsync<T>(Stream input, Func<Stream, CancellationToken, Task<T>> load, CancellationToken cancellationToken) =>
        RunWatchedAsync((progress, token) => load(new IntakeStream(input, progress), token), "loaded the image", cancellationToken);

    /// <summary>A call that reports its own progress (a pull's messages) through the <see cref="CallProgress"/> it is given.</summary>
    public Task WatchAsync(Func<CallProgress, CancellationToken, Task> call, string doing, CancellationToken cancellationToken) =>
        RunWatchedAsync(async (progress, token) => { await call(progress, token); return true; }, doing, cancellationToken);

    /// <summary>
    /// A call that reports nothing until it answers (inspect, create, stop, wait): it may take long (a stop waits out its
    /// grace, a wait lasts as long as the container runs) while Docker answers pings.
    /// </summary>
    public Task<T> GuardAsync<T>(Func<CancellationToken, Task<T>> call, string doing, CancellationToken cancellationToken) =>
        RunWatchedAsync((_, token) => call(token), doing, cancellationToken);

    public Task GuardAsync(Func<CancellationToken, Task> call, string doing, CancellationToken cancellationToken) =>
        WatchAsync((_, token) => call(token), doing, cancellationToken);

    /// <param name="doing">What Docker was doing, for the error: "loaded the image".</param>
    private async Task<T> RunWatchedAsync<T>(Func<CallProgress, CancellationToken, Task<T>> call, string doing, CancellationToken cancellationToken)
    {
        var progress = new CallProgress();
        using var end = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = call(progress, end.Token);
        while (true)
        {
            if (await QuietAsync(running, cancellationToken)) return await AnsweredAsync(running, doing, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (progress.Idle < _limits.Quiet) continue;
            if (await StoppedAsync(progress, doing, cancellationToken) is not { } stopped) continue;
            await end.CancelAsync();
            await Task.WhenAny(running, Task.Delay(EndWithin, CancellationToken.None)); // its own error is not the one to report
            throw stopped;
        }
    }

    /// <summary>Waits for the call to end, or for <see cref="Limits.Quiet"/>; true when it ended. Most calls end first: their timer goes with them.</summary>
    private async Task<bool> QuietAsync(Task running, CancellationToken cancellationToken)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woke = await Task.WhenAny(running, Task.Delay(_limits.Quiet, quiet.Token));
        await quiet.CancelAsync();
        return woke == running;
    }

    /// <summary>
    /// The call's result. A call cancelled by no one here ran into Docker.DotNet's own request timeout: a daemon that answers
    /// pings but not this call (one of its locks is held), not an agent shutting down.
    /// </summary>
    private static async Task<T> AnsweredAsync<T>(Task<T> running, string doing, CancellationToken cancellationToken)
    {
        try
        {
            return await running;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AgentFailure(AgentErrorReason.DockerRefused, $"Docker gave no answer in time while it {doing} ({e.Message}): {DockerDeadline.Means}");
        }
    }

    /// <summary>Why the call must end, or null while Docker answers and takes its input.</summary>
    private async Task<AgentFailure?> StoppedAsync(CallProgress progress, string doing, CancellationToken cancellationToken)
    {
        var stopped = $"Docker stopped answering while it {doing}";
        try
        {
            await DockerDeadline.WithinAsync(ping, _limits.PingWithin, $"{stopped} (no answer to a ping within {Seconds(_limits.PingWithin)})", cancellationToken);
        }
        catch (AgentFailure noAnswer)
        {
            return noAnswer;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new AgentFailure(AgentErrorReason.DockerRefused, $"{stopped} (its ping failed: {e.Message}): {DockerDeadline.Means}");
        }
        if (progress.TakesInput && progress.Idle >= _limits.TakeWithin)
            return new AgentFailure(AgentErrorReason.DockerRefused,
                $"Docker took none of the image for {Seconds(progress.Idle)} while it {doing}, though it answers: its disk may hang; " +
                "`systemctl status docker` and `dmesg` on the server say more");
        return null;
    }

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0} s";
}

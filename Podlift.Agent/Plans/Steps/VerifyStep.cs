using System.Diagnostics;
using Podlift.Agent.Proxy;
using Podlift.Protocol;

namespace Podlift.Agent.Plans.Steps;

/// <summary>The new version served, then failed its verification: the job rolls back to the version before.</summary>
public sealed class VerificationFailed(string message) : Exception(message);

/// <summary>A canary failed its hold: the job goes on as its removal.</summary>
public sealed class CanaryDegraded(string message) : Exception(message);

/// <summary>
/// After the switch: watches what nginx logs of the new version's backends for the plan's window, and stops
/// early once the error rate is above the limit. Reads nginx's own request log of the app, as the receipt does.
/// </summary>
/// <param name="poll">How often the log is read again (default 1 s).</param>
public sealed class VerifyStep(IRequestLogFile log, TimeSpan? poll = null)
{
    private readonly TimeSpan _poll = poll ?? TimeSpan.FromSeconds(1);

    public async Task VerifyAsync(VerifyNewVersion action, ExecutionContext context, CancellationToken cancellationToken)
    {
        var isNew = action.Backends.Concat(context.Others.SelectMany(o => o.Backends.Select(b => $"{b.Address}:{b.Port}"))).ToHashSet();
        context.Progress.Info($"Watching {context.Request.Version} for {Seconds(Window(action.Plan))}: above {Shares.Format(action.Plan.MaxErrorRate)} errors it is rolled back...");
        var result = await WatchAsync(action.Plan, isNew, log.Position(context.Request.App), context, cancellationToken);
        context.Verified = result;
        if (!result.Passed) throw new VerificationFailed(result.Detail);
        if (result.Detail.Length > 0) context.Progress.Warning($"Verification: {result.Detail}; {context.Request.Version} stays");
        else context.Progress.Success($"Verified over {Seconds(TimeSpan.FromMilliseconds(result.WindowMilliseconds))}: {Describe(result)}");
    }

    /// <summary>A canary's hold: degraded, the canary is removed; passed with enough requests, it is promoted; else it keeps serving.</summary>
    public async Task WatchCanaryAsync(WatchCanary action, ExecutionContext context, CancellationToken cancellationToken)
    {
        context.Progress.Info($"Watching the canary {context.Request.Version} for {Seconds(Window(action.Plan))}: above {Shares.Format(action.Plan.MaxErrorRate)} errors it is removed, else promoted...");
        var from = context.HoldLogFrom ?? log.Position(context.Request.App);
        var result = await WatchAsync(action.Plan, action.Backends.ToHashSet(), from, context, cancellationToken);
        context.Verified = result;
        if (!result.Passed) throw new CanaryDegraded(result.Detail);
        if (result.Detail.Length > 0) context.Progress.Warning($"Canary: {result.Detail}; it keeps serving as it is (`podlift promote` or `podlift rollback`)");
        else
        {
            context.Progress.Success($"Canary held {Seconds(TimeSpan.FromMilliseconds(result.WindowMilliseconds))}: {Describe(result)}");
            context.CanaryPassed = true;
        }
    }

    /// <summary>
    /// Watches what nginx logs of <paramref name="backends"/> after <paramref name="from"/> for the plan's window, stopping early
    /// once the error rate is above the limit; a window of zero (a hold whose time ran out while the agent was down) reads the
    /// log once. Passed with a detail: too few requests to judge.
    /// </summary>
    private async Task<VerifyResult> WatchAsync(VerifyPlan plan, IReadOnlySet<string> backends, long from, ExecutionContext context, CancellationToken cancellationToken)
    {
        var app = context.Request.App;
        var window = Window(plan);
        var clock = Stopwatch.StartNew();
        VerifyTally tally;
        do
        {
            var left = window - clock.Elapsed;
            if (left > TimeSpan.Zero) await Task.Delay(left < _poll ? left : _poll, cancellationToken);
            tally = ReadTally(app, from, backends, context);
        } while (clock.Elapsed < window && !tally.Degraded(plan));

        var result = new VerifyResult { WindowMilliseconds = (long)clock.Elapsed.TotalMilliseconds, Requests = tally.Requests, Errors = tally.Errors };
        if (tally.Degraded(plan))
        {
            result.Detail = $"{tally.Describe()} in {Seconds(clock.Elapsed)}, above the {Shares.Format(plan.MaxErrorRate)} allowed";
            return result;
        }
        result.Passed = true;
        if (tally.Requests < plan.MinRequests) result.Detail = $"too few requests to judge ({tally.Requests} of the {plan.MinRequests} needed)";
        return result;
    }

    private static TimeSpan Window(VerifyPlan plan) => TimeSpan.FromMilliseconds(plan.WindowMilliseconds);

    private static string Describe(VerifyResult result) => new VerifyTally(result.Requests, result.Errors).Describe();

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.#}s";

    /// <summary>A log that cannot be read counts nothing: too few requests to judge, never a revert.</summary>
    private VerifyTally ReadTally(string app, long from, IReadOnlySet<string> isNew, ExecutionContext context)
    {
        try
        {
            return VerifyTally.None.Add(log.LinesSince(app, from).Select(RequestLog.Parse).OfType<RequestLogEntry>(), isNew.Contains);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Progress.Warning($"verification cannot read nginx's request log: {e.Message}");
            return VerifyTally.None;
        }
    }
}

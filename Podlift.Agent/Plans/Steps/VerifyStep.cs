using System.Diagnostics;
using Podlift.Agent.Proxy;
using Podlift.Protocol;

namespace Podlift.Agent.Plans.Steps;

/// <summary>The new version served, then failed its verification: the job rolls back to the version before.</summary>
public sealed class VerificationFailed(string message) : Exception(message);

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
        var (app, plan) = (context.Request.App, action.Plan);
        var window = TimeSpan.FromMilliseconds(plan.WindowMilliseconds);
        var isNew = action.Backends.Concat(context.Others.SelectMany(o => o.Backends.Select(b => $"{b.Address}:{b.Port}"))).ToHashSet();
        var from = log.Position(app);
        context.Progress.Info($"Watching {context.Request.Version} for {Seconds(window)}: above {plan.MaxErrorRate * 100:0.##}% errors it is rolled back...");

        var clock = Stopwatch.StartNew();
        var tally = VerifyTally.None;
        while (clock.Elapsed < window && !tally.Degraded(plan))
        {
            var left = window - clock.Elapsed;
            await Task.Delay(left < _poll ? left : _poll, cancellationToken);
            tally = ReadTally(app, from, isNew, context);
        }

        var result = new VerifyResult { WindowMilliseconds = (long)clock.Elapsed.TotalMilliseconds, Requests = tally.Requests, Errors = tally.Errors };
        context.Verified = result;
        if (tally.Degraded(plan))
        {
            result.Detail = $"{tally.Describe()} in {Seconds(clock.Elapsed)}, above the {plan.MaxErrorRate * 100:0.##}% allowed";
            throw new VerificationFailed(result.Detail);
        }
        result.Passed = true;
        if (tally.Requests < plan.MinRequests)
        {
            result.Detail = $"too few requests to judge ({tally.Requests} of the {plan.MinRequests} needed)";
            context.Progress.Warning($"Verification: {result.Detail}; {context.Request.Version} stays");
        }
        else context.Progress.Success($"Verified over {Seconds(clock.Elapsed)}: {tally.Describe()}");
    }

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

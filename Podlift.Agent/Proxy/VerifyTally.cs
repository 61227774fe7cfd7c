using Podlift.Protocol;

namespace Podlift.Agent.Proxy;

/// <summary>
/// What the new version's backends served while it was watched, from nginx's request log: the requests they
/// answered, and the errors among them (5xx answers, and attempts on them that failed and went elsewhere).
/// Pure: counting and the verdict.
/// </summary>
public sealed record VerifyTally(long Requests, long Errors)
{
    public static readonly VerifyTally None = new(0, 0);

    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <param name="isNew">Whether an upstream address (host:port) is one of the new version's backends.</param>
    public VerifyTally Add(IEnumerable<RequestLogEntry> entries, Func<string, bool> isNew)
    {
        var (requests, errors) = (Requests, Errors);
        foreach (var entry in entries)
        {
            for (var i = 0; i < entry.Upstreams.Count; i++)
            {
                if (!isNew(entry.Upstreams[i])) continue;
                var last = i == entry.Upstreams.Count - 1;
                var failedAttempt = !last; // nginx went on to another backend: this one failed the request
                if (last) requests++;
                if (failedAttempt || (last && entry.Status >= 500)) errors++;
                if (failedAttempt) requests++;
            }
        }
        return new VerifyTally(requests, errors);
    }

    /// <summary>Above the plan's rate once enough requests came: the version is degraded.</summary>
    public bool Degraded(VerifyPlan plan) => Requests >= Math.Max(1, plan.MinRequests) && ErrorRate > plan.MaxErrorRate;

    public string Describe() =>
        $"{Requests} requests, {Errors} errors ({ErrorRate * 100:0.#}%)";
}

using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Configuration;

/// <summary>
/// `deploy --canary 10%`: the new version takes that share of fresh clients beside the old until `podlift promote` or
/// `podlift rollback`; with `--canary-hold 5m` the primary's agent watches it that long and promotes it, or removes it
/// above `--max-error-rate` (default 1%).
/// </summary>
public sealed record CanaryRollout(double Share, TimeSpan Hold, double MaxErrorRate, int MinRequests)
{
    /// <summary>The flags as given; null when --canary is not (the other two are then refused).</summary>
    public static CanaryRollout? From(string? canary, string? hold, string? maxErrorRate)
    {
        if (canary is null)
        {
            if (hold is not null || maxErrorRate is not null)
                throw new ConfigurationException($"{(hold is not null ? "--canary-hold" : "--max-error-rate")} watches a canary, and there is none without --canary",
                    "add --canary 10% (the share of clients the new version takes), or drop the flag");
            return null;
        }
        if (!Shares.TryParse(canary, out var share, out var problem))
            throw new ConfigurationException($"--canary {canary}: {problem}", "give the share of fresh clients the new version takes, for example --canary 10%");
        if (share is < PlanLimits.MinCanaryShare or > PlanLimits.MaxCanaryShare)
            throw new ConfigurationException($"--canary {canary}: a canary takes more than 0% and less than 100% of clients",
                "for example --canary 10%; to switch everyone at once, deploy without --canary");
        var held = TimeSpan.Zero;
        if (hold is not null && (!Durations.TryParse(hold, out held) || held < TimeSpan.FromSeconds(1) || held > PlanLimits.MaxCanaryHold))
            throw new ConfigurationException($"--canary-hold {hold}: must be a duration from 1s to {Durations.Format(PlanLimits.MaxCanaryHold)}", "for example --canary-hold 5m");
        var rate = PlanDefaults.VerifyMaxErrorRate;
        if (maxErrorRate is not null)
        {
            if (hold is null)
                throw new ConfigurationException("--max-error-rate is the limit of a canary's hold, and there is no --canary-hold",
                    "add --canary-hold 5m (how long the agent watches the canary before it promotes it)");
            if (!Shares.TryParse(maxErrorRate, out rate, out var rateProblem))
                throw new ConfigurationException($"--max-error-rate {maxErrorRate}: {rateProblem}", "for example --max-error-rate 1%");
        }
        return new CanaryRollout(Math.Round(share, 4), held, rate, PlanDefaults.VerifyMinRequests);
    }

    public CanaryPlan ToPlan() => new()
    {
        Share = Share, HoldMilliseconds = (long)Hold.TotalMilliseconds, MaxErrorRate = MaxErrorRate, MinRequests = MinRequests,
    };

    public override string ToString() => Hold > TimeSpan.Zero
        ? $"canary of {Shares.Format(Share)}, held {Durations.Format(Hold)} (above {Shares.Format(MaxErrorRate)} errors removed, else promoted)"
        : $"canary of {Shares.Format(Share)}, until `podlift promote` or `podlift rollback`";
}

namespace Podlift.Protocol;

/// <summary>The bounds of a plan's numbers: podlift.yml is checked against them, and so is every request the agent takes.</summary>
public static class PlanLimits
{
    public const int MaxReplicas = 100;
    public const int MaxVersionsKept = 50;
    public const int MaxRetries = 100;
    public const double MaxCpus = 1024;
    public static readonly TimeSpan MaxDrain = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinHealthTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxHealthTimeout = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinHealthInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxHealthInterval = TimeSpan.FromMinutes(10);
    public const int MinExpectedStatus = 100;
    public const int MaxExpectedStatus = 599;
    /// <summary>verify: how long the agent watches a new version after its switch.</summary>
    public static readonly TimeSpan MaxVerifyWindow = TimeSpan.FromHours(1);
    public const int MaxVerifyMinRequests = 1_000_000;
    /// <summary>A canary's share of fresh clients: nginx's split_clients counts hundredths of a percent.</summary>
    public const double MinCanaryShare = 0.0001;
    public const double MaxCanaryShare = 0.9999;
    /// <summary>--canary-hold: how long the agent watches a canary before it promotes it.</summary>
    public static readonly TimeSpan MaxCanaryHold = TimeSpan.FromHours(24);
}

namespace Podlift.Protocol;

/// <summary>
/// What podlift's nginx allows a request when podlift.yml does not say: the CLI fills these into every
/// plan, and the agent uses them for a plan or saved settings written before limits existed.
/// </summary>
public static class ProxyDefaults
{
    /// <summary>nginx's own default (1 MB) refuses ordinary uploads with 413.</summary>
    public const long MaxBodyBytes = 100L << 20;

    /// <summary>Long enough for a 90 s request or an idle WebSocket between pings; nginx's default is 60 s.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(120);

    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(120);

    public static ProxyLimits Limits() => new()
    {
        MaxBodyBytes = MaxBodyBytes,
        ReadTimeoutMilliseconds = (long)ReadTimeout.TotalMilliseconds,
        SendTimeoutMilliseconds = (long)SendTimeout.TotalMilliseconds,
    };

    /// <summary>The host names a plan's site answers: domains, or the single domain of a plan from an older CLI.</summary>
    public static IReadOnlyList<string> Domains(ProxyPlan? proxy) =>
        proxy is null ? [] : proxy.Domains.Count > 0 ? proxy.Domains : proxy.Domain.Length > 0 ? [proxy.Domain] : [];
}

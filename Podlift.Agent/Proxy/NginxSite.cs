namespace Podlift.Agent.Proxy;

public sealed record UpstreamServer(string Address, int Port, string Comment);

/// <summary>
/// A canary beside the site's servers: <see cref="Share"/> (0.1: 10%) of fresh clients go to <see cref="Servers"/>, the
/// version <see cref="Version"/>; a cookie keeps every client on the side it drew.
/// </summary>
public sealed record CanarySplit(string Version, double Share, IReadOnlyList<UpstreamServer> Servers);

/// <summary>A certificate and key nginx can read.</summary>
public sealed record TlsFiles(string CertificatePath, string KeyPath);

/// <summary>What nginx allows a request of the app: body size (0: no limit) and how long it waits on the app.</summary>
public sealed record SiteLimits(long MaxBodyBytes, TimeSpan ReadTimeout, TimeSpan SendTimeout)
{
    public static readonly SiteLimits Default = From(null);

    public static SiteLimits From(Podlift.Protocol.ProxyLimits? limits)
    {
        var defaults = Podlift.Protocol.ProxyDefaults.Limits();
        var given = limits ?? defaults;
        return new SiteLimits(given.MaxBodyBytes,
            TimeSpan.FromMilliseconds(given.ReadTimeoutMilliseconds > 0 ? given.ReadTimeoutMilliseconds : defaults.ReadTimeoutMilliseconds),
            TimeSpan.FromMilliseconds(given.SendTimeoutMilliseconds > 0 ? given.SendTimeoutMilliseconds : defaults.SendTimeoutMilliseconds));
    }
}

/// <summary>
/// What nginx must route for one app: its routed service's backends, the host names (none: the server's
/// default site), TLS when it has a certificate, and the request limits.
/// </summary>
public sealed record NginxSite(string App, string Service, IReadOnlyList<string> Domains, IReadOnlyList<UpstreamServer> Servers, bool ListenIPv6)
{
    /// <summary>certbot's webroot: every site answers ACME HTTP-01 challenges from it, before and after TLS.</summary>
    public const string AcmeWebroot = Podlift.Protocol.AgentProtocol.AcmeWebroot;

    public TlsFiles? Tls { get; init; }
    public SiteLimits Limits { get; init; } = SiteLimits.Default;
    /// <summary>Addresses or CIDRs of load balancers in front, whose X-Forwarded-For and X-Forwarded-Proto are believed.</summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];
    /// <summary>nginx 1.25.1 and later turn HTTP/2 on with `http2 on;`; older ones with `listen ... http2`.</summary>
    public bool Http2Directive { get; init; }
    /// <summary>A canary beside <see cref="Servers"/>; null: they take every request.</summary>
    public CanarySplit? Canary { get; init; }
    /// <summary>Where nginx logs each request the site proxies, as <see cref="RequestLog"/> reads it; null: not logged by podlift.</summary>
    public string? RequestLogPath { get; init; }

    public bool IsDefaultSite => Domains.Count == 0;

    public string UpstreamName => $"{Sanitize(App)}_{Sanitize(Service)}";

    public string CanaryUpstreamName => $"{UpstreamName}_canary";

    /// <summary>The cookie that keeps a client on its side of a canary: "&lt;version&gt;:in" or "&lt;version&gt;:out".</summary>
    public string CanaryCookie => $"podlift_{Sanitize(App)}_canary";

    /// <summary>The prefix of the app's own nginx variables (maps are global in nginx: each app names its own).</summary>
    public string VariablePrefix => $"podlift_{Sanitize(App)}";

    public static string FileName(string app) => $"podlift-{app}.conf";

    private static string Sanitize(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
}

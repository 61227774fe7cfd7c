using Podlift.Protocol;

namespace Podlift.Agent.Rpc.Validation;

/// <summary>The rules of what reaches an nginx site: proxy settings (domain, TLS files) and another server's backends.</summary>
public static class ProxyRules
{
    public static FieldChecks Proxy(FieldChecks check, ProxyPlan proxy, string app, string at)
    {
        check.DomainOrEmpty($"{at}.domain", proxy.Domain)
            .AtMost($"{at}.domains", proxy.Domains.Count, RequestLimits.Entries)
            .AtMost($"{at}.trusted_proxies", proxy.TrustedProxies.Count, RequestLimits.Entries);
        for (var i = 0; i < proxy.Domains.Count; i++) check.DomainOrEmpty($"{at}.domains[{i}]", proxy.Domains[i]).Require(proxy.Domains[i].Length > 0, $"{at}.domains[{i}]", "must not be empty", null);
        // each is written into nginx's geo and set_real_ip_from lines: an address or a CIDR, nothing else
        for (var i = 0; i < proxy.TrustedProxies.Count; i++)
            check.Require(Names.IsAddressOrNetwork(proxy.TrustedProxies[i]), $"{at}.trusted_proxies[{i}]", "must be an IP address or a CIDR range", proxy.TrustedProxies[i]);
        if (proxy.Limits is { } limits)
            check.Between($"{at}.limits.max_body_bytes", limits.MaxBodyBytes, 0, RequestLimits.MemoryBytes)
                .Milliseconds($"{at}.limits.read_timeout_milliseconds", limits.ReadTimeoutMilliseconds, TimeSpan.FromDays(1))
                .Milliseconds($"{at}.limits.send_timeout_milliseconds", limits.SendTimeoutMilliseconds, TimeSpan.FromDays(1));
        if (proxy.Tls is { } tls && (tls.CertificatePath.Length > 0 || tls.KeyPath.Length > 0))
            check.TlsFile($"{at}.tls.certificate_path", tls.CertificatePath, app, proxy.Domain)
                .TlsFile($"{at}.tls.key_path", tls.KeyPath, app, proxy.Domain);
        return check;
    }

    public static FieldChecks SetUpstream(FieldChecks check, SetUpstreamRequest request)
    {
        check.Name("app", request.App)
            .Host("server", request.Server)
            .Name("service", request.Service)
            .Milliseconds("drain_milliseconds", request.DrainMilliseconds, PlanLimits.MaxDrain)
            .DomainOrEmpty("domain", request.Domain);
        return Backends(check, "backends", request.Backends);
    }

    /// <summary>Another server's backends, as they go into this server's site.</summary>
    public static FieldChecks Backends(FieldChecks check, string at, IReadOnlyList<Backend> backends)
    {
        check.AtMost(at, backends.Count, RequestLimits.Entries);
        for (var i = 0; i < backends.Count; i++)
        {
            var backend = backends[i];
            check.Host($"{at}[{i}].address", backend.Address)
                .Port($"{at}[{i}].port", backend.Port)
                .Line($"{at}[{i}].name", backend.Name, RequestLimits.ShortLine); // a comment in the site: one line
        }
        return check;
    }

    public static FieldChecks ApplyProxy(FieldChecks check, ApplyProxyRequest request)
    {
        check.Name("app", request.App).Require(request.Proxy is not null, "proxy", "must be set", null);
        return request.Proxy is { } proxy ? Proxy(check, proxy, request.App, "proxy") : check;
    }
}

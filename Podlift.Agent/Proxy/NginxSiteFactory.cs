using System.Text.Json;
using Podlift.Agent.Host;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Proxy;

/// <summary>
/// Builds an app's site from its backends and its proxy settings, which it keeps per app
/// (proxy.json beside state.json) so every rewrite (a local deploy, another server's SetUpstream,
/// `ssl setup`) renders the same host names, limits and TLS. TLS is on only once the certificate files exist.
/// </summary>
public sealed class NginxSiteFactory(StateStore store, HostFacts host, ILogger<NginxSiteFactory> log)
{
    // nginx is not upgraded under a running agent often enough to ask it for its version on every rewrite
    private readonly Lazy<Task<string>> _nginxVersion = new(() => host.NginxVersionAsync(CancellationToken.None));

    public async Task<NginxSite> CreateAsync(string app, string service, IReadOnlyList<UpstreamServer> backends, ProxyPlan? proxy = null)
    {
        proxy ??= LoadSettings(app);
        return new NginxSite(app, service, ProxyDefaults.Domains(proxy), backends, NginxProxy.HostHasIPv6)
        {
            Tls = TlsOf(app, proxy),
            Limits = SiteLimits.From(proxy?.Limits),
            TrustedProxies = proxy?.TrustedProxies.ToList() ?? [],
            Http2Directive = NginxVersions.HasHttp2Directive(await _nginxVersion.Value),
        };
    }

    public void SaveSettings(string app, ProxyPlan proxy)
    {
        Directory.CreateDirectory(store.AppDirectory(app));
        File.WriteAllText(SettingsPath(app), Google.Protobuf.JsonFormatter.Default.Format(proxy));
    }

    public ProxyPlan? LoadSettings(string app)
    {
        try { return Google.Protobuf.JsonParser.Default.Parse<ProxyPlan>(File.ReadAllText(SettingsPath(app))); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or Google.Protobuf.InvalidProtocolBufferException or JsonException) { return null; }
    }

    private TlsFiles? TlsOf(string app, ProxyPlan? proxy)
    {
        if (proxy?.Tls is not { CertificatePath.Length: > 0 } tls) return null;
        if (File.Exists(tls.CertificatePath) && File.Exists(tls.KeyPath)) return new TlsFiles(tls.CertificatePath, tls.KeyPath);
        log.LogWarning("{App}: TLS is configured but {Certificate} is not there yet; serving HTTP only until `podlift ssl setup`", app, tls.CertificatePath);
        return null;
    }

    private string SettingsPath(string app) => Path.Combine(store.AppDirectory(app), "proxy.json");
}

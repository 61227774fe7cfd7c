using Podlift.Agent.Machine;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Proxy;

/// <summary>
/// Builds an app's site from its backends and its proxy settings, which it keeps per app
/// (proxy.json beside state.json) so every rewrite (a local deploy, another server's SetUpstream,
/// `ssl setup`) renders the same host names, limits and TLS. TLS is on only once the certificate files exist.
/// </summary>
/// <param name="host">Asks nginx for its version; without it, the forms every nginx since 1.9.5 reads.</param>
public sealed class NginxSiteFactory(StateStore store, ILogger<NginxSiteFactory> log, HostFacts? host = null)
{
    // nginx is not upgraded under a running agent often enough to ask it for its version on every rewrite
    private readonly Lazy<Task<string>> _nginxVersion = new(() => host?.NginxVersionAsync(CancellationToken.None) ?? Task.FromResult(""));

    /// <param name="canary">The canary beside <paramref name="backends"/> (the upstream registry keeps it); null: none.</param>
    public async Task<NginxSite> CreateAsync(string app, string service, IReadOnlyList<UpstreamServer> backends, ProxyPlan? proxy, CanarySplit? canary)
    {
        proxy ??= LoadSettings(app);
        return new NginxSite(app, service, ProxyDefaults.Domains(proxy), backends, NginxProxy.HostHasIPv6)
        {
            Tls = TlsOf(app, proxy),
            Limits = SiteLimits.From(proxy?.Limits),
            TrustedProxies = proxy?.TrustedProxies.ToList() ?? [],
            Http2Directive = NginxVersions.HasHttp2Directive(await _nginxVersion.Value),
            RequestLogPath = RequestLog.PathFor(app),
            Canary = canary,
        };
    }

    public void SaveSettings(string app, ProxyPlan proxy) => AtomicFile.Write(SettingsPath(app), Google.Protobuf.JsonFormatter.Default.Format(proxy));

    /// <summary>The settings last saved; null when there are none or the file is unreadable (torn by an older agent's crash).</summary>
    public ProxyPlan? LoadSettings(string app)
    {
        try { return Google.Protobuf.JsonParser.Default.Parse<ProxyPlan>(File.ReadAllText(SettingsPath(app))); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or Google.Protobuf.InvalidJsonException)
        {
            log.LogWarning("{Path} is unreadable ({Error}); the app's proxy settings come from the next deploy or `podlift ssl setup`", SettingsPath(app), e.Message);
            return null;
        }
    }

    private TlsFiles? TlsOf(string app, ProxyPlan? proxy)
    {
        if (proxy?.Tls is not { CertificatePath.Length: > 0 } tls) return null;
        if (File.Exists(tls.CertificatePath) && File.Exists(tls.KeyPath)) return new TlsFiles(tls.CertificatePath, tls.KeyPath);
        log.LogWarning("{App}: TLS is configured but {Certificate} is not there yet; serving HTTP only until `podlift ssl setup`", app, tls.CertificatePath);
        return null;
    }

    private string SettingsPath(string app) => store.ProxySettingsPath(app);
}

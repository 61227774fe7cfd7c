using System.Text;

namespace Podlift.Agent.Proxy;

public sealed record UpstreamServer(string Address, int Port, string Comment);

/// <summary>A certificate and key nginx can read.</summary>
public sealed record TlsFiles(string CertificatePath, string KeyPath);

/// <summary>What nginx must route for one app: its routed service's backends, the host name, and TLS when it has a certificate.</summary>
public sealed record NginxSite(string App, string Service, string Version, string? Domain, IReadOnlyList<UpstreamServer> Servers, bool ListenIPv6,
    TlsFiles? Tls = null)
{
    /// <summary>certbot's webroot: every site answers ACME HTTP-01 challenges from it, before and after TLS.</summary>
    public const string AcmeWebroot = Podlift.Protocol.AgentProtocol.AcmeWebroot;

    public string UpstreamName => $"{Sanitize(App)}_{Sanitize(Service)}";

    public static string FileName(string app) => $"podlift-{app}.conf";

    private static string Sanitize(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
}

/// <summary>Renders an app's nginx config. Pure: the same site always gives the same text.</summary>
public static class NginxSiteRenderer
{
    private const string HeaderPrefix = "# Written by podlift-agent for ";

    /// <summary>The version a rendered config routes to, read back from its header; null if it is not ours.</summary>
    public static string? VersionOf(string config, string app)
    {
        var header = config.Split('\n', 2)[0].Trim();
        var prefix = HeaderPrefix + app + " ";
        if (!header.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var version = header[prefix.Length..].Split('.', 2)[0];
        return version.Length > 0 ? version : null;
    }

    public static string Render(NginxSite site)
    {
        if (site.Servers.Count == 0) throw new ArgumentException("an upstream needs at least one server", nameof(site));
        var text = new StringBuilder();
        text.AppendLine($"{HeaderPrefix}{site.App} {site.Version}. Do not edit: every deploy rewrites it.");
        text.AppendLine($"upstream {site.UpstreamName} {{");
        text.AppendLine("    least_conn;");
        foreach (var server in site.Servers)
            text.AppendLine($"    server {server.Address}:{server.Port} max_fails=3 fail_timeout=10s; # {server.Comment}");
        text.AppendLine("    keepalive 32;");
        text.AppendLine("}");
        text.AppendLine();
        text.AppendLine("server {");
        Listen(text, site, 80, "");
        text.AppendLine();
        text.AppendLine("    location /.well-known/acme-challenge/ {");
        text.AppendLine($"        root {NginxSite.AcmeWebroot};");
        text.AppendLine("    }");
        text.AppendLine();
        if (site.Tls is { } tls)
        {
            text.AppendLine("    location / {");
            text.AppendLine("        return 301 https://$host$request_uri;");
            text.AppendLine("    }");
            text.AppendLine("}");
            text.AppendLine();
            text.AppendLine("server {");
            Listen(text, site, 443, " ssl");
            text.AppendLine($"    ssl_certificate {tls.CertificatePath};");
            text.AppendLine($"    ssl_certificate_key {tls.KeyPath};");
            text.AppendLine("    ssl_protocols TLSv1.2 TLSv1.3;");
            text.AppendLine("    ssl_session_cache shared:podlift_ssl:10m;");
            text.AppendLine();
        }
        Proxy(text, site);
        text.AppendLine("}");
        return text.ToString();
    }

    private static void Listen(StringBuilder text, NginxSite site, int port, string options)
    {
        var defaultServer = string.IsNullOrEmpty(site.Domain) ? " default_server" : "";
        text.AppendLine($"    listen {port}{options}{defaultServer};");
        if (site.ListenIPv6) text.AppendLine($"    listen [::]:{port}{options}{defaultServer};");
        text.AppendLine($"    server_name {(string.IsNullOrEmpty(site.Domain) ? "_" : site.Domain)};");
    }

    private static void Proxy(StringBuilder text, NginxSite site)
    {
        text.AppendLine("    location / {");
        text.AppendLine($"        proxy_pass http://{site.UpstreamName};");
        text.AppendLine("        proxy_http_version 1.1;");
        text.AppendLine("        proxy_set_header Connection \"\";");
        text.AppendLine("        proxy_set_header Host $host;");
        text.AppendLine("        proxy_set_header X-Real-IP $remote_addr;");
        text.AppendLine("        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
        text.AppendLine("        proxy_set_header X-Forwarded-Proto $scheme;");
        text.AppendLine("        proxy_next_upstream error timeout http_502 http_503;");
        text.AppendLine("    }");
    }
}

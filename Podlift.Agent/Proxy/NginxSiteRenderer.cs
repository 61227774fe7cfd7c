using System.Globalization;
using System.Text;

namespace Podlift.Agent.Proxy;

/// <summary>Renders an app's nginx config. Pure: the same site always gives the same text.</summary>
public static class NginxSiteRenderer
{
    public const string HeaderPrefix = "# Written by podlift-agent for ";

    /// <summary>Marks the canary's upstream block, which <see cref="NginxSiteReader"/> tells from the site's own by it.</summary>
    public const string CanaryMark = "# podlift canary";

    public static string Render(NginxSite site)
    {
        var text = new StringBuilder();
        text.AppendLine($"{HeaderPrefix}{site.App}. Do not edit: every deploy rewrites it.");
        Upstream(text, site.UpstreamName, site.Servers);
        if (site.Canary is { } canary)
        {
            Upstream(text, site.CanaryUpstreamName, canary.Servers, $" {CanaryMark} {canary.Version}");
            CanaryVariables(text, site, canary);
        }
        Variables(text, site);
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
            Listen(text, site, 443, site.Http2Directive ? " ssl" : " ssl http2");
            if (site.Http2Directive) text.AppendLine("    http2 on;");
            text.AppendLine($"    ssl_certificate {tls.CertificatePath};");
            text.AppendLine($"    ssl_certificate_key {tls.KeyPath};");
            text.AppendLine("    ssl_protocols TLSv1.2 TLSv1.3;");
            text.AppendLine("    ssl_session_cache shared:podlift_ssl:10m;");
            text.AppendLine();
        }
        RealClient(text, site);
        Proxy(text, site);
        text.AppendLine("}");
        return text.ToString();
    }

    private static void Upstream(StringBuilder text, string name, IReadOnlyList<UpstreamServer> servers, string mark = "")
    {
        if (servers.Count == 0) throw new ArgumentException($"the upstream {name} needs at least one server", nameof(servers));
        text.AppendLine($"upstream {name} {{{mark}");
        text.AppendLine("    least_conn;");
        // max_fails counts only what proxy_next_upstream calls unsuccessful: connection errors, not the app's own answers
        foreach (var server in servers)
            text.AppendLine($"    server {server.Address}:{server.Port} max_fails=3 fail_timeout=10s; # {server.Comment}");
        text.AppendLine("    keepalive 32;");
        text.AppendLine("}");
        text.AppendLine();
    }

    /// <summary>
    /// A canary: a fresh client draws its side at random (the share to the canary), a client with the cookie keeps the side
    /// it drew for that canary's version, and only a client without it is sent the cookie. A cookie of an earlier canary
    /// names another version: that client draws again.
    /// </summary>
    private static void CanaryVariables(StringBuilder text, NginxSite site, CanarySplit canary)
    {
        var (prefix, cookie, version) = (site.VariablePrefix, site.CanaryCookie, canary.Version);
        text.AppendLine($"split_clients \"${{request_id}}\" ${prefix}_canary_draw {{");
        text.AppendLine($"    {Podlift.Protocol.Shares.Format(canary.Share)} in;");
        text.AppendLine("    * out;");
        text.AppendLine("}");
        text.AppendLine();
        text.AppendLine($"map $cookie_{cookie} ${prefix}_canary_side {{");
        text.AppendLine($"    \"{version}:in\" in;");
        text.AppendLine($"    \"{version}:out\" out;");
        text.AppendLine($"    default ${prefix}_canary_draw;");
        text.AppendLine("}");
        text.AppendLine();
        text.AppendLine($"map ${prefix}_canary_side ${prefix}_upstream {{");
        text.AppendLine($"    in {site.CanaryUpstreamName};");
        text.AppendLine($"    default {site.UpstreamName};");
        text.AppendLine("}");
        text.AppendLine();
        text.AppendLine($"map $cookie_{cookie} ${prefix}_canary_cookie {{");
        text.AppendLine($"    \"{version}:in\" \"\";");
        text.AppendLine($"    \"{version}:out\" \"\";");
        text.AppendLine($"    default \"{cookie}={version}:${prefix}_canary_side; Path=/; HttpOnly; SameSite=Lax\";");
        text.AppendLine("}");
        text.AppendLine();
    }

    /// <summary>
    /// A WebSocket handshake's Upgrade passes through; every other request sends no Connection header,
    /// which keeps the upstream connection alive. Behind trusted proxies, their X-Forwarded-Proto is believed.
    /// </summary>
    private static void Variables(StringBuilder text, NginxSite site)
    {
        text.AppendLine($"map $http_upgrade ${site.VariablePrefix}_connection {{");
        text.AppendLine("    default upgrade;");
        text.AppendLine("    ''      '';");
        text.AppendLine("}");
        text.AppendLine();
        if (site.RequestLogPath is not null)
        {
            // one JSON object a request: what answered it, read back for the switch window's receipt
            text.AppendLine($"log_format {site.VariablePrefix} escape=json '{{\"msec\":$msec,\"status\":$status,\"upstream\":\"$upstream_addr\",\"upstream_status\":\"$upstream_status\"}}';");
            text.AppendLine();
        }
        if (site.TrustedProxies.Count == 0) return;
        text.AppendLine($"geo $realip_remote_addr ${site.VariablePrefix}_trusted {{");
        text.AppendLine("    default 0;");
        foreach (var proxy in site.TrustedProxies) text.AppendLine($"    {proxy} 1;");
        text.AppendLine("}");
        text.AppendLine();
        text.AppendLine($"map \"${site.VariablePrefix}_trusted:$http_x_forwarded_proto\" ${site.VariablePrefix}_proto {{");
        text.AppendLine("    default $scheme;");
        text.AppendLine("    \"1:https\" https;");
        text.AppendLine("    \"1:http\" http;");
        text.AppendLine("}");
        text.AppendLine();
    }

    private static void Listen(StringBuilder text, NginxSite site, int port, string options)
    {
        var defaultServer = site.IsDefaultSite ? " default_server" : "";
        text.AppendLine($"    listen {port}{options}{defaultServer};");
        if (site.ListenIPv6) text.AppendLine($"    listen [::]:{port}{options}{defaultServer};");
        text.AppendLine($"    server_name {(site.IsDefaultSite ? "_" : string.Join(' ', site.Domains))};");
    }

    /// <summary>The client's address: the connection's, or behind trusted proxies the first untrusted one in X-Forwarded-For.</summary>
    private static void RealClient(StringBuilder text, NginxSite site)
    {
        if (site.TrustedProxies.Count == 0) return;
        foreach (var proxy in site.TrustedProxies) text.AppendLine($"    set_real_ip_from {proxy};");
        text.AppendLine("    real_ip_header X-Forwarded-For;");
        text.AppendLine("    real_ip_recursive on;");
        text.AppendLine();
    }

    private static void Proxy(StringBuilder text, NginxSite site)
    {
        var limits = site.Limits;
        var scheme = site.TrustedProxies.Count > 0 ? $"${site.VariablePrefix}_proto" : "$scheme";
        text.AppendLine($"    client_max_body_size {limits.MaxBodyBytes.ToString(CultureInfo.InvariantCulture)};");
        if (site.RequestLogPath is { } log)
        {
            // the site's own log replaces the inherited one; the usual access log is kept beside it
            text.AppendLine("    access_log /var/log/nginx/access.log;");
            text.AppendLine($"    access_log {log} {site.VariablePrefix};");
        }
        text.AppendLine();
        text.AppendLine("    location / {");
        text.AppendLine(site.Canary is null ? $"        proxy_pass http://{site.UpstreamName};" : $"        proxy_pass http://${site.VariablePrefix}_upstream;");
        // an empty value sends no header: a client that has the cookie is not sent it again
        if (site.Canary is not null) text.AppendLine($"        add_header Set-Cookie ${site.VariablePrefix}_canary_cookie always;");
        text.AppendLine("        proxy_http_version 1.1;");
        text.AppendLine("        proxy_set_header Upgrade $http_upgrade;");
        text.AppendLine($"        proxy_set_header Connection ${site.VariablePrefix}_connection;");
        text.AppendLine("        proxy_set_header Host $host;");
        // $remote_addr alone: a client's own X-Forwarded-For never reaches the app (realip has replaced it behind trusted proxies)
        text.AppendLine("        proxy_set_header X-Real-IP $remote_addr;");
        text.AppendLine("        proxy_set_header X-Forwarded-For $remote_addr;");
        text.AppendLine($"        proxy_set_header X-Forwarded-Proto {scheme};");
        text.AppendLine("        proxy_connect_timeout 5s;");
        text.AppendLine($"        proxy_read_timeout {Seconds(limits.ReadTimeout)};");
        text.AppendLine($"        proxy_send_timeout {Seconds(limits.SendTimeout)};");
        // a replica that refuses the connection is skipped; a request that timed out, or the app's own 5xx, is never sent again
        text.AppendLine("        proxy_next_upstream error;");
        text.AppendLine("    }");
    }

    private static string Seconds(TimeSpan duration) => $"{Math.Max(1, (long)Math.Ceiling(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture)}s";
}

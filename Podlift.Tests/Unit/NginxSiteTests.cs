using NUnit.Framework;
using Podlift.Agent.Proxy;

namespace Podlift.Tests.Unit;

public class NginxSiteTests
{
    private static readonly UpstreamServer[] TwoBackends =
    [
        new("127.0.0.1", 20001, "myapp-web-abc1234-1"),
        new("127.0.0.1", 20002, "myapp-web-abc1234-2"),
    ];

    private static readonly TlsFiles Certificate = new("/etc/letsencrypt/live/example.com/fullchain.pem", "/etc/letsencrypt/live/example.com/privkey.pem");

    private static NginxSite Site(string? domain = null, bool ipv6 = false, IReadOnlyList<UpstreamServer>? servers = null, TlsFiles? tls = null) =>
        new("my-app", "web", "abc1234", domain, servers ?? TwoBackends, ipv6, tls);

    /// <summary>The trimmed lines of each top-level server { } block, in order.</summary>
    private static List<string[]> ServerBlocks(string text)
    {
        var blocks = new List<string[]>();
        List<string>? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (line == "server {") current = [];
            else if (line == "}" && current is not null) { blocks.Add(current.ToArray()); current = null; }
            else current?.Add(line.Trim());
        }
        return blocks;
    }

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.Trim()).ToArray();

    [TestCase("my-app", "web", "my_app_web")]
    [TestCase("shop", "api.v2", "shop_api_v2")]
    [TestCase("a1", "b-2", "a1_b_2")]
    public void Upstream_name_is_sanitised(string app, string service, string expected)
    {
        var site = new NginxSite(app, service, "v", null, TwoBackends, false);

        Assert.That(site.UpstreamName, Is.EqualTo(expected));
        Assert.That(NginxSiteRenderer.Render(site), Does.Contain($"upstream {expected} {{").And.Contain($"proxy_pass http://{expected};"));
    }

    [Test]
    public void One_server_line_per_backend_with_its_comment()
    {
        var lines = Lines(NginxSiteRenderer.Render(Site()));

        Assert.That(lines.Where(l => l.StartsWith("server 127.0.0.1:")), Is.EqualTo(new[]
        {
            "server 127.0.0.1:20001 max_fails=3 fail_timeout=10s; # myapp-web-abc1234-1",
            "server 127.0.0.1:20002 max_fails=3 fail_timeout=10s; # myapp-web-abc1234-2",
        }));
    }

    [Test]
    public void Upstream_balances_by_least_connections_with_keepalive()
    {
        var lines = Lines(NginxSiteRenderer.Render(Site()));

        Assert.That(lines, Does.Contain("least_conn;"));
        Assert.That(lines, Does.Contain("keepalive 32;"));
        Assert.That(lines, Does.Contain("proxy_set_header Connection \"\";"), "keepalive to upstreams needs an empty Connection header");
        Assert.That(lines, Does.Contain("proxy_http_version 1.1;"));
    }

    [Test]
    public void Without_a_domain_it_is_the_default_server()
    {
        var lines = Lines(NginxSiteRenderer.Render(Site(domain: null)));

        Assert.That(lines, Does.Contain("listen 80 default_server;"));
        Assert.That(lines, Does.Contain("server_name _;"));
    }

    [Test]
    public void With_a_domain_it_is_a_named_server_and_not_the_default()
    {
        var text = NginxSiteRenderer.Render(Site(domain: "example.com"));

        Assert.That(Lines(text), Does.Contain("listen 80;"));
        Assert.That(Lines(text), Does.Contain("server_name example.com;"));
        Assert.That(text, Does.Not.Contain("default_server"));
    }

    [TestCase(null, "listen [::]:80 default_server;")]
    [TestCase("example.com", "listen [::]:80;")]
    public void Listens_on_ipv6_when_asked(string? domain, string expected)
    {
        Assert.That(Lines(NginxSiteRenderer.Render(Site(domain, ipv6: true))), Does.Contain(expected));
    }

    [Test]
    public void Does_not_listen_on_ipv6_unless_asked()
    {
        var text = NginxSiteRenderer.Render(Site(ipv6: false));

        Assert.That(Lines(text), Does.Contain("listen 80 default_server;"));
        Assert.That(text, Does.Not.Contain("[::]"));
    }

    [Test]
    public void Zero_servers_is_refused()
    {
        Assert.That(() => NginxSiteRenderer.Render(Site(servers: [])), Throws.ArgumentException);
    }

    [Test]
    public void File_name_is_per_app()
    {
        Assert.That(NginxSite.FileName("my-app"), Is.EqualTo("podlift-my-app.conf"));
    }

    [Test]
    public void Without_tls_one_server_proxies_on_80_and_answers_acme_challenges()
    {
        var blocks = ServerBlocks(NginxSiteRenderer.Render(Site(domain: "example.com")));

        var http = blocks.Single();
        Assert.That(http, Does.Contain("listen 80;"));
        Assert.That(http, Does.Contain("location /.well-known/acme-challenge/ {"));
        Assert.That(http, Does.Contain("root /var/www/podlift-acme;"));
        Assert.That(http, Does.Contain("proxy_pass http://my_app_web;"));
        Assert.That(http, Has.None.Contain("443").And.None.Contain("return 301").And.None.Contain("ssl"));
    }

    [Test]
    public void With_tls_http_redirects_with_301_but_still_serves_acme_challenges()
    {
        var http = ServerBlocks(NginxSiteRenderer.Render(Site(domain: "example.com", tls: Certificate)))[0];

        Assert.That(http, Does.Contain("listen 80;"));
        Assert.That(http, Does.Contain("server_name example.com;"));
        Assert.That(http, Does.Contain("return 301 https://$host$request_uri;"));
        Assert.That(http, Does.Contain("location /.well-known/acme-challenge/ {"));
        Assert.That(http, Does.Contain($"root {NginxSite.AcmeWebroot};"));
        Assert.That(http, Has.None.Contain("proxy_pass"), "plain HTTP never reaches the app");
    }

    [Test]
    public void With_tls_https_on_443_proxies_with_the_certificate()
    {
        var blocks = ServerBlocks(NginxSiteRenderer.Render(Site(domain: "example.com", tls: Certificate)));

        Assert.That(blocks, Has.Count.EqualTo(2));
        var https = blocks[1];
        Assert.That(https, Does.Contain("listen 443 ssl;"));
        Assert.That(https, Does.Contain("server_name example.com;"));
        Assert.That(https, Does.Contain("ssl_certificate /etc/letsencrypt/live/example.com/fullchain.pem;"));
        Assert.That(https, Does.Contain("ssl_certificate_key /etc/letsencrypt/live/example.com/privkey.pem;"));
        Assert.That(https, Does.Contain("ssl_protocols TLSv1.2 TLSv1.3;"));
        Assert.That(https, Does.Contain("proxy_pass http://my_app_web;"));
        Assert.That(https, Does.Contain("proxy_set_header X-Forwarded-Proto $scheme;"));
        Assert.That(https, Has.None.Contain("listen 80"));
    }

    [Test]
    public void With_tls_the_upstream_is_declared_once()
    {
        var text = NginxSiteRenderer.Render(Site(domain: "example.com", tls: Certificate));

        Assert.That(Lines(text).Count(l => l.StartsWith("upstream ")), Is.EqualTo(1));
    }

    [TestCase("example.com", new[] { "listen 443 ssl;", "listen [::]:443 ssl;" })]
    [TestCase(null, new[] { "listen 443 ssl default_server;", "listen [::]:443 ssl default_server;" })]
    public void Tls_listens_like_http_on_ipv6_and_as_the_default_server(string? domain, string[] expected)
    {
        var https = ServerBlocks(NginxSiteRenderer.Render(Site(domain, ipv6: true, tls: Certificate)))[1];

        Assert.That(https.Where(l => l.StartsWith("listen ")), Is.EqualTo(expected));
    }

    [Test]
    public void VersionOf_reads_back_the_version_a_rendered_config_routes_to()
    {
        Assert.That(NginxSiteRenderer.VersionOf(NginxSiteRenderer.Render(Site()), "my-app"), Is.EqualTo("abc1234"));
        Assert.That(NginxSiteRenderer.VersionOf(NginxSiteRenderer.Render(Site(domain: "example.com", tls: Certificate)), "my-app"), Is.EqualTo("abc1234"));
    }

    [TestCase("other-app")]
    [TestCase("my")]
    [TestCase("my-app-2")]
    public void VersionOf_another_apps_config_is_null(string app)
    {
        Assert.That(NginxSiteRenderer.VersionOf(NginxSiteRenderer.Render(Site()), app), Is.Null);
    }

    [TestCase("")]
    [TestCase("server {\n    listen 80 default_server;\n}\n")]
    [TestCase("# Written by podlift-agent for my-app \nupstream x {}\n")]
    [TestCase("# my own notes\n# Written by podlift-agent for my-app abc1234. Do not edit\n")]
    public void VersionOf_a_foreign_file_is_null(string config)
    {
        Assert.That(NginxSiteRenderer.VersionOf(config, "my-app"), Is.Null);
    }
}

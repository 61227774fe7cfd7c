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
        new("my-app", "web", domain is null ? [] : [domain], servers ?? TwoBackends, ipv6) { Tls = tls };

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
        var site = new NginxSite(app, service, [], TwoBackends, false);

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
        Assert.That(lines, Does.Contain("proxy_http_version 1.1;"));
    }

    [Test]
    public void WebSocket_upgrades_pass_through_while_plain_requests_keep_the_upstream_connection()
    {
        var text = NginxSiteRenderer.Render(Site());
        var lines = Lines(text);

        // the map sends "upgrade" with a handshake and no Connection header otherwise: keepalive to upstreams needs that
        Assert.That(text, Does.Contain("map $http_upgrade $podlift_my_app_connection {\n    default upgrade;\n    ''      '';\n}"));
        Assert.That(lines, Does.Contain("proxy_set_header Upgrade $http_upgrade;"));
        Assert.That(lines, Does.Contain("proxy_set_header Connection $podlift_my_app_connection;"));
    }

    [Test]
    public void Each_app_names_its_own_nginx_variables()
    {
        var other = NginxSiteRenderer.Render(new NginxSite("other", "web", [], TwoBackends, false));

        Assert.That(other, Does.Contain("$podlift_other_connection").And.Not.Contain("$podlift_my_app_connection"),
            "maps are global in nginx: two apps defining one variable would clash");
    }

    [Test]
    public void Limits_default_to_a_body_size_and_timeouts_that_fit_a_typical_web_app()
    {
        var lines = Lines(NginxSiteRenderer.Render(Site()));

        Assert.That(lines, Does.Contain($"client_max_body_size {100 << 20};"), "nginx's own 1 MB refuses ordinary uploads");
        Assert.That(lines, Does.Contain("proxy_read_timeout 120s;"), "a 90 s request finishes");
        Assert.That(lines, Does.Contain("proxy_send_timeout 120s;"));
    }

    [Test]
    public void Limits_are_rendered_as_given_and_zero_lifts_the_body_limit()
    {
        var site = Site() with { Limits = new SiteLimits(0, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1.5)) };
        var lines = Lines(NginxSiteRenderer.Render(site));

        Assert.That(lines, Does.Contain("client_max_body_size 0;"));
        Assert.That(lines, Does.Contain("proxy_read_timeout 600s;"));
        Assert.That(lines, Does.Contain("proxy_send_timeout 2s;"), "rounded up to whole seconds, never to 0");
    }

    [Test]
    public void Only_connection_errors_send_a_request_to_another_replica()
    {
        var lines = Lines(NginxSiteRenderer.Render(Site()));

        // a timeout would replay a slow request; the app's own 502/503 would count against max_fails and empty the upstream
        Assert.That(lines, Does.Contain("proxy_next_upstream error;"));
        Assert.That(lines.Where(l => l.StartsWith("proxy_next_upstream")), Has.Exactly(1).Items);
    }

    [Test]
    public void Without_trusted_proxies_a_clients_own_forwarded_headers_never_reach_the_app()
    {
        var text = NginxSiteRenderer.Render(Site());
        var lines = Lines(text);

        Assert.That(lines, Does.Contain("proxy_set_header X-Forwarded-For $remote_addr;"));
        Assert.That(lines, Does.Contain("proxy_set_header X-Forwarded-Proto $scheme;"));
        Assert.That(text, Does.Not.Contain("real_ip").And.Not.Contain("$proxy_add_x_forwarded_for").And.Not.Contain("geo "));
    }

    [Test]
    public void Behind_trusted_proxies_the_client_address_and_scheme_come_from_them_only()
    {
        var text = NginxSiteRenderer.Render(Site() with { TrustedProxies = ["10.0.0.0/8", "2001:db8::/32"] });
        var lines = Lines(text);

        Assert.That(lines, Does.Contain("set_real_ip_from 10.0.0.0/8;"));
        Assert.That(lines, Does.Contain("set_real_ip_from 2001:db8::/32;"));
        Assert.That(lines, Does.Contain("real_ip_header X-Forwarded-For;"));
        Assert.That(lines, Does.Contain("real_ip_recursive on;"));
        // the forwarded scheme is believed only from a trusted proxy: geo looks at the connection's own address
        Assert.That(text, Does.Contain("geo $realip_remote_addr $podlift_my_app_trusted {\n    default 0;\n    10.0.0.0/8 1;\n    2001:db8::/32 1;\n}"));
        Assert.That(text, Does.Contain("map \"$podlift_my_app_trusted:$http_x_forwarded_proto\" $podlift_my_app_proto {"));
        Assert.That(lines, Does.Contain("\"1:https\" https;"));
        Assert.That(lines, Does.Contain("proxy_set_header X-Forwarded-Proto $podlift_my_app_proto;"));
        Assert.That(lines, Does.Contain("proxy_set_header X-Forwarded-For $remote_addr;"), "after realip, $remote_addr is the client");
    }

    [Test]
    public void Several_host_names_share_one_server_block()
    {
        var lines = Lines(NginxSiteRenderer.Render(Site() with { Domains = ["example.com", "www.example.com"] }));

        Assert.That(lines, Does.Contain("server_name example.com www.example.com;"));
        Assert.That(lines, Does.Not.Contain("listen 80 default_server;"));
    }

    [TestCase(false, "listen 443 ssl http2;", null)]
    [TestCase(true, "listen 443 ssl;", "http2 on;")]
    public void Tls_listener_speaks_http2_in_the_form_the_nginx_version_knows(bool http2Directive, string listen, string? directive)
    {
        var https = ServerBlocks(NginxSiteRenderer.Render(Site("example.com", tls: Certificate) with { Http2Directive = http2Directive }))[1];

        Assert.That(https, Does.Contain(listen));
        if (directive is null) Assert.That(https, Has.None.EqualTo("http2 on;"));
        else Assert.That(https, Does.Contain(directive));
    }

    [TestCase("1.22.1", false)]
    [TestCase("1.25.0", false)]
    [TestCase("1.25.1", true)]
    [TestCase("1.26.3", true)]
    [TestCase("1.27.0 (Ubuntu)", true)]
    [TestCase("", false)]
    [TestCase("unknown", false)]
    public void The_http2_directive_exists_from_nginx_1_25_1(string version, bool expected)
    {
        Assert.That(NginxVersions.HasHttp2Directive(version), Is.EqualTo(expected));
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
        Assert.That(https, Does.Contain("listen 443 ssl http2;"));
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

    [TestCase("example.com", new[] { "listen 443 ssl http2;", "listen [::]:443 ssl http2;" })]
    [TestCase(null, new[] { "listen 443 ssl http2 default_server;", "listen [::]:443 ssl http2 default_server;" })]
    public void Tls_listens_like_http_on_ipv6_and_as_the_default_server(string? domain, string[] expected)
    {
        var https = ServerBlocks(NginxSiteRenderer.Render(Site(domain, ipv6: true, tls: Certificate)))[1];

        Assert.That(https.Where(l => l.StartsWith("listen ")), Is.EqualTo(expected));
    }

    [Test]
    public void The_reader_gets_back_the_backends_a_rendered_config_routes_to()
    {
        Assert.That(NginxSiteReader.Backends(NginxSiteRenderer.Render(Site()), "my-app"),
            Is.EqualTo(new[] { ("127.0.0.1", 20001), ("127.0.0.1", 20002) }));
        Assert.That(NginxSiteReader.Backends(NginxSiteRenderer.Render(Site("example.com", tls: Certificate)), "my-app"), Has.Count.EqualTo(2));
    }

    private static NginxSite WithCanary(double share = 0.1) =>
        Site() with { Canary = new CanarySplit("bbb2222", share, [new UpstreamServer("127.0.0.1", 20009, "my-app-web-bbb2222-1")]) };

    [Test]
    public void A_canary_has_its_own_upstream_and_a_share_of_fresh_clients_drawn_once_and_kept_by_a_cookie()
    {
        var text = NginxSiteRenderer.Render(WithCanary(0.025));

        Assert.That(text, Does.Contain("upstream my_app_web {"), "the site's own upstream: the version beside the canary");
        Assert.That(text, Does.Contain($"upstream my_app_web_canary {{ {NginxSiteRenderer.CanaryMark} bbb2222"));
        Assert.That(text, Does.Contain("split_clients \"${request_id}\" $podlift_my_app_canary_draw {\n    2.5% in;\n    * out;\n}"));
        Assert.That(text, Does.Contain("map $cookie_podlift_my_app_canary $podlift_my_app_canary_side {\n    \"bbb2222:in\" in;\n    \"bbb2222:out\" out;\n    default $podlift_my_app_canary_draw;"),
            "a client with this canary's cookie keeps its side; any other draws");
        Assert.That(text, Does.Contain("proxy_pass http://$podlift_my_app_upstream;"));
        Assert.That(text, Does.Contain("add_header Set-Cookie $podlift_my_app_canary_cookie always;"));
        Assert.That(text, Does.Contain("default \"podlift_my_app_canary=bbb2222:$podlift_my_app_canary_side; Path=/; HttpOnly; SameSite=Lax\";"));
    }

    [Test]
    public void Without_a_canary_nothing_of_it_is_rendered()
    {
        var text = NginxSiteRenderer.Render(Site());

        Assert.That(text, Does.Not.Contain("canary").And.Not.Contain("split_clients").And.Not.Contain("Set-Cookie"));
        Assert.That(text, Does.Contain("proxy_pass http://my_app_web;"));
    }

    [Test]
    public void The_reader_gets_back_the_sites_own_backends_not_the_canarys()
    {
        var text = NginxSiteRenderer.Render(WithCanary());

        Assert.That(NginxSiteReader.Backends(text, "my-app"), Is.EqualTo(new[] { ("127.0.0.1", 20001), ("127.0.0.1", 20002) }));
        Assert.That(NginxSiteReader.HasCanary(text), Is.True);
        Assert.That(NginxSiteReader.HasCanary(NginxSiteRenderer.Render(Site())), Is.False);
    }

    [Test]
    public void A_service_named_canary_is_not_taken_for_a_canary()
    {
        var text = NginxSiteRenderer.Render(new NginxSite("my-app", "canary", [], TwoBackends, false));

        Assert.That(NginxSiteReader.Backends(text, "my-app"), Has.Count.EqualTo(2));
        Assert.That(NginxSiteReader.HasCanary(text), Is.False);
    }

    [Test]
    public void The_reader_reads_configs_written_by_agents_that_put_the_version_in_the_header()
    {
        const string older = "# Written by podlift-agent for my-app abc1234. Do not edit: every deploy rewrites it.\n" +
                             "upstream my_app_web {\n    least_conn;\n    server 10.0.0.2:20005 max_fails=3 fail_timeout=10s; # x\n}\n";

        Assert.That(NginxSiteReader.Backends(older, "my-app"), Is.EqualTo(new[] { ("10.0.0.2", 20005) }));
    }

    [TestCase("other-app")]
    [TestCase("my")]
    [TestCase("my-app-2")]
    public void The_reader_refuses_another_apps_config(string app)
    {
        Assert.That(NginxSiteReader.Backends(NginxSiteRenderer.Render(Site()), app), Is.Null);
        Assert.That(NginxSiteReader.ServerNames(NginxSiteRenderer.Render(Site()), app), Is.Null);
    }

    [TestCase("")]
    [TestCase("server {\n    listen 80 default_server;\n}\n")]
    [TestCase("# my own notes\n# Written by podlift-agent for my-app abc1234. Do not edit\n")]
    public void The_reader_refuses_a_foreign_file(string config)
    {
        Assert.That(NginxSiteReader.Backends(config, "my-app"), Is.Null);
    }

    [Test]
    public void The_reader_gets_back_the_host_names_and_none_for_the_default_site()
    {
        Assert.That(NginxSiteReader.ServerNames(NginxSiteRenderer.Render(Site()), "my-app"), Is.Empty);
        Assert.That(NginxSiteReader.ServerNames(NginxSiteRenderer.Render(Site("example.com", tls: Certificate) with { Domains = ["example.com", "www.example.com"] }), "my-app"),
            Is.EqualTo(new[] { "example.com", "www.example.com" }));
    }

    [Test]
    public void The_header_no_longer_claims_a_version()
    {
        // it was written from state.json, which could lag behind what the upstream routes to
        Assert.That(NginxSiteRenderer.Render(Site()).Split('\n')[0], Is.EqualTo("# Written by podlift-agent for my-app. Do not edit: every deploy rewrites it."));
    }
}

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

    private static NginxSite Site(string? domain = null, bool ipv6 = false, IReadOnlyList<UpstreamServer>? servers = null) =>
        new("my-app", "web", "abc1234", domain, servers ?? TwoBackends, ipv6);

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
}

using Podlift.Cli.Commands;
using Podlift.Cli.Configuration;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class SiteCheckTests
{
    private static readonly ServerConfig Server = new("10.0.0.1", "root", 22, null, [], []);

    private static PodliftConfig Config(string app, params string[] domains) => new()
    {
        App = app, Image = app, Servers = [Server], Services = [new ServiceConfig { Name = "web" }], SourcePath = "/p/podlift.yml", Domains = domains,
    };

    private static AppState App(string app, bool site, params string[] domains)
    {
        var state = new AppState { App = app, HasSite = site };
        state.SiteDomains.AddRange(domains);
        return state;
    }

    [Test]
    public void A_second_app_without_a_domain_is_refused_naming_both()
    {
        var conflict = SiteCheck.ConflictOn(Config("shop"), Server, [App("blog", site: true)]);

        Assert.That(conflict, Is.EqualTo("blog is already this server's default site (neither shop nor blog has `domain:`), and nginx serves only one"));
    }

    [Test]
    public void A_shared_host_name_is_refused_whatever_its_case()
    {
        Assert.That(SiteCheck.ConflictOn(Config("shop", "shop.example.com", "www.example.com"), Server, [App("blog", true, "WWW.example.com")]),
            Is.EqualTo("blog already answers for WWW.example.com on this server"));
    }

    [Test]
    public void Apps_with_their_own_names_or_without_a_site_share_a_server()
    {
        Assert.That(SiteCheck.ConflictOn(Config("shop"), Server, [App("blog", true, "blog.example.com"), App("worker-only", site: false)]), Is.Null);
        Assert.That(SiteCheck.ConflictOn(Config("shop", "shop.example.com"), Server, [App("blog", site: true)]), Is.Null, "one of them may stay the default site");
        Assert.That(SiteCheck.ConflictOn(Config("shop"), Server, [App("shop", site: true)]), Is.Null, "a redeploy does not clash with itself");
    }

    [Test]
    public void An_app_nginx_does_not_route_cannot_clash()
    {
        var config = Config("shop") with { Proxy = new ProxyConfig(false) };

        Assert.That(SiteCheck.ConflictOn(config, Server, [App("blog", site: true)]), Is.Null);
    }
}

using Podlift.Cli.Commands;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>The checks before a deploy, on one read of each server's state: who owns the name, the site, a serving canary.</summary>
public class ServerAppsChecksTests
{
    private static readonly ServerConfig Primary = new("10.0.0.1", "root", 22, null, [], []);
    private static readonly ServerConfig Second = new("10.0.0.2", "root", 22, null, [], []);

    private static readonly PodliftConfig Config = new()
    {
        App = "shop",
        Image = "shop",
        Servers = [Primary, Second],
        Services = [new ServiceConfig { Name = "web", Port = 8000 }],
        SourcePath = "/project/podlift.yml",
    };

    private const string Ours = "https://git.example.com/acme/shop.git";

    private static AppState Shop(string source = Ours, CanaryState? canary = null) =>
        new() { App = "shop", Current = new Deployment { Version = "abc1234", Source = source }, HasSite = true, Canary = canary };

    private static ServerApps Apps(IReadOnlyList<AppState> onPrimary, IReadOnlyList<AppState>? onSecond = null) =>
        new(new Dictionary<ServerConfig, IReadOnlyList<AppState>> { [Primary] = onPrimary, [Second] = onSecond ?? [] });

    [Test]
    public void Our_own_app_everywhere_passes_every_check()
    {
        var apps = Apps([Shop()], [Shop()]);

        Assert.DoesNotThrow(() => AppNameCheck.EnsureOurs(Config, apps, Ours));
        Assert.DoesNotThrow(() => SiteCheck.EnsureFree(Config, apps));
        Assert.DoesNotThrow(() => CanaryCheck.EnsureNoneServes(Config, apps));
    }

    [Test]
    public void Another_project_on_the_second_server_is_refused_naming_that_server()
    {
        var apps = Apps([Shop()], [Shop("https://git.example.com/acme/other.git")]);

        var refusal = Assert.Throws<ValidationException>(() => AppNameCheck.EnsureOurs(Config, apps, Ours))!;

        Assert.That(refusal.Message, Does.StartWith("10.0.0.2: the app name `shop` is already used there by another project"));
    }

    [Test]
    public void Another_app_holding_the_default_site_is_refused_on_that_server()
    {
        var apps = Apps([Shop(), new AppState { App = "blog", HasSite = true }]);

        var refusal = Assert.Throws<ValidationException>(() => SiteCheck.EnsureFree(Config, apps))!;

        Assert.That(refusal.Message, Does.StartWith("10.0.0.1: nginx: "));
        Assert.That(refusal.Fix, Is.EqualTo(SiteCheck.Fix));
    }

    [Test]
    public void A_canary_serving_on_the_primary_refuses_a_deploy_and_lets_its_own_version_be_promoted()
    {
        var canary = new CanaryState { Deployment = new Deployment { Version = "def5678" }, Share = 0.1 };
        var apps = Apps([Shop(canary: canary)], [Shop()]);

        var refusal = Assert.Throws<ValidationException>(() => CanaryCheck.EnsureNoneServes(Config, apps))!;
        Assert.That(refusal.Message, Is.EqualTo("10.0.0.1: a canary of def5678 serves 10% of fresh clients"));

        Assert.DoesNotThrow(() => CanaryCheck.EnsurePromotable(Config, apps, "def5678"));
        var elsewhere = Assert.Throws<ValidationException>(() => CanaryCheck.EnsurePromotable(Config, apps, "abc1234"))!;
        Assert.That(elsewhere.Message, Does.Contain("the canary on 10.0.0.1 is def5678, and this checkout is at abc1234"));
    }

    [Test]
    public void Promote_without_a_canary_says_there_is_nothing_to_promote()
    {
        var refusal = Assert.Throws<ValidationException>(() => CanaryCheck.EnsurePromotable(Config, Apps([Shop()]), "abc1234"))!;

        Assert.That(refusal.Message, Does.StartWith("no canary of shop serves on 10.0.0.1"));
    }
}

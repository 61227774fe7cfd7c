using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;

namespace Podlift.Tests.Unit;

public class ServiceLookupTests
{
    private static readonly PodliftConfig Grouped = new()
    {
        App = "shop",
        Image = "shop",
        SourcePath = "/srv/shop/podlift.yml",
        Servers =
        [
            new ServerConfig("10.0.0.1", "root", 22, null, ["web"], []),
            new ServerConfig("10.0.0.2", "root", 22, null, ["web", "worker"], []),
            new ServerConfig("10.0.0.3", "root", 22, null, ["worker"], []),
        ],
        Services = [new ServiceConfig { Name = "web" }, new ServiceConfig { Name = "worker", HealthCheck = null }],
    };

    [Test]
    public void A_known_service_is_found_with_the_servers_that_run_it()
    {
        var worker = Grouped.Service("worker");
        Assert.That(Grouped.ServersRunning(worker).Select(s => s.Host), Is.EqualTo(new[] { "10.0.0.2", "10.0.0.3" }));
    }

    [Test]
    public void Without_roles_every_server_runs_every_service()
    {
        var plain = Grouped with { Servers = [new ServerConfig("10.0.0.9", "root", 22, null, [], [])] };
        Assert.That(plain.ServersRunning(plain.Service("worker")).Single().Host, Is.EqualTo("10.0.0.9"));
    }

    [Test]
    public void An_unknown_service_is_a_configuration_error_listing_the_known_ones()
    {
        var error = Assert.Throws<ConfigurationException>(() => Grouped.Service("wokrer"))!;

        Assert.That((int)error.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.Contain("no service \"wokrer\"").And.Contain("did you mean \"worker\"").And.Contain("services: web, worker"));
    }
}

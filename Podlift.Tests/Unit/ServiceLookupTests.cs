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
        Services = [new ServiceConfig { Name = "web", Replicas = 2 }, new ServiceConfig { Name = "worker", HealthCheck = null }],
        Dependencies =
        [
            new DependencyConfig { Name = "postgres", Image = "postgres:16" },
            new DependencyConfig { Name = "redis", Image = "redis:7", PlacedOn = new ServerConfig("10.0.0.3", "root", 22, null, ["worker"], []) },
        ],
    };

    [Test]
    public void A_known_service_is_found_with_the_servers_that_run_it()
    {
        var worker = Grouped.Target("worker");
        Assert.That(worker.Servers.Select(s => s.Host), Is.EqualTo(new[] { "10.0.0.2", "10.0.0.3" }));
        Assert.That((worker.IsDependency, Grouped.Target("web").Replicas), Is.EqualTo((false, 2)));
    }

    [Test]
    public void Without_roles_every_server_runs_every_service()
    {
        var plain = Grouped with { Servers = [new ServerConfig("10.0.0.9", "root", 22, null, [], [])] };
        Assert.That(plain.Target("worker").Servers.Single().Host, Is.EqualTo("10.0.0.9"));
    }

    [Test]
    public void An_unknown_service_is_a_configuration_error_listing_the_known_ones()
    {
        var error = Assert.Throws<ConfigurationException>(() => Grouped.Target("wokrer"))!;

        Assert.That((int)error.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.Contain("no service \"wokrer\"").And.Contain("did you mean \"worker\"")
            .And.Contain("services: web, worker; dependencies: postgres, redis"));
    }

    [TestCase("postgres", "10.0.0.1")]
    [TestCase("redis", "10.0.0.3")]
    public void A_dependency_is_found_on_the_server_that_runs_it(string name, string host)
    {
        var target = Grouped.Target(name);

        Assert.That((target.IsDependency, target.Replicas, target.Servers.Single().Host), Is.EqualTo((true, 1, host)));
    }
}

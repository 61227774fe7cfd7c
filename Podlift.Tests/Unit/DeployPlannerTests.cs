using NUnit.Framework;
using Podlift.Cli.Configuration;
using Podlift.Cli.Planning;

namespace Podlift.Tests.Unit;

public class DeployPlannerTests
{
    private static readonly Release Release = new("abc1234", "myapp:abc1234", "alice", "Fix the login page");

    private static ServerConfig Server(string host, params string[] roles) => new(host, "root", 22, null, roles, []);

    private static readonly ServiceConfig Web = new()
    {
        Name = "web",
        Port = 3000,
        Replicas = 2,
        Command = ["gunicorn", "app:app"],
        Env = new Dictionary<string, string> { ["MODE"] = "production", ["DATABASE_URL"] = "postgres://db/app" },
        HealthCheck = new HealthCheckConfig("/up", [200, 204], TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(500), 4),
    };

    private static readonly ServiceConfig Worker = new() { Name = "worker", Port = 9000, Command = ["./worker"], HealthCheck = null };

    private static PodliftConfig Config(IReadOnlyList<ServerConfig> servers, params ServiceConfig[] services) => new()
    {
        App = "myapp",
        Image = "myapp",
        Servers = servers,
        Services = services,
        SourcePath = "/project/podlift.yml",
    };

    [Test]
    public void Plan_carries_the_release_and_app_settings()
    {
        var server = Server("10.0.0.1");
        var config = Config([server], Web) with { Domain = "example.com", Drain = TimeSpan.FromSeconds(45), Proxy = new ProxyConfig(false) };

        var plan = DeployPlanner.For(config, server, Release, skipHealthcheck: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.App, Is.EqualTo("myapp"));
            Assert.That(plan.Version, Is.EqualTo("abc1234"));
            Assert.That(plan.Image, Is.EqualTo("myapp:abc1234"));
            Assert.That(plan.DeployedBy, Is.EqualTo("alice"));
            Assert.That(plan.CommitMessage, Is.EqualTo("Fix the login page"));
            Assert.That(plan.Proxy.Enabled, Is.False);
            Assert.That(plan.Proxy.Domain, Is.EqualTo("example.com"));
            Assert.That(plan.DrainMilliseconds, Is.EqualTo(45_000));
            Assert.That(plan.SkipHealthcheck, Is.True);
        }
    }

    [Test]
    public void Without_a_domain_the_proxy_domain_is_empty()
    {
        var server = Server("10.0.0.1");

        var plan = DeployPlanner.For(Config([server], Web), server, Release, skipHealthcheck: false);

        Assert.That(plan.Proxy.Domain, Is.Empty);
        Assert.That(plan.Proxy.Enabled, Is.True);
        Assert.That(plan.SkipHealthcheck, Is.False);
        Assert.That(plan.DrainMilliseconds, Is.EqualTo(30_000));
    }

    [Test]
    public void Http_service_plan_copies_port_command_env_and_health_check()
    {
        var server = Server("10.0.0.1");

        var web = DeployPlanner.For(Config([server], Web, Worker), server, Release, false).Services.Single(s => s.Name == "web");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(web.Replicas, Is.EqualTo(2));
            Assert.That(web.ContainerPort, Is.EqualTo(3000));
            Assert.That(web.Routed, Is.True);
            Assert.That(web.Command, Is.EqualTo(new[] { "gunicorn", "app:app" }));
            Assert.That(web.Env, Is.EquivalentTo(Web.Env));
            Assert.That(web.Healthcheck.Path, Is.EqualTo("/up"));
            Assert.That(web.Healthcheck.Expect, Is.EqualTo(new[] { 200, 204 }));
            Assert.That(web.Healthcheck.TimeoutMilliseconds, Is.EqualTo(20_000));
            Assert.That(web.Healthcheck.IntervalMilliseconds, Is.EqualTo(500));
            Assert.That(web.Healthcheck.Retries, Is.EqualTo(4));
        }
    }

    [Test]
    public void Service_without_health_check_gets_no_container_port_no_check_and_no_route()
    {
        var server = Server("10.0.0.1");

        var worker = DeployPlanner.For(Config([server], Web, Worker), server, Release, false).Services.Single(s => s.Name == "worker");

        Assert.That(worker.ContainerPort, Is.Zero);
        Assert.That(worker.Healthcheck, Is.Null);
        Assert.That(worker.Routed, Is.False);
        Assert.That(worker.Command, Is.EqualTo(new[] { "./worker" }));
    }

    [Test]
    public void Without_an_http_web_service_the_first_http_service_is_routed()
    {
        var server = Server("10.0.0.1");
        var api = Web with { Name = "api" };
        var web = Web with { HealthCheck = null };

        var plan = DeployPlanner.For(Config([server], Worker, web, api), server, Release, false);

        Assert.That(plan.Services.Where(s => s.Routed).Select(s => s.Name), Is.EqualTo(new[] { "api" }));
    }

    [Test]
    public void Only_background_services_means_nothing_is_routed()
    {
        var server = Server("10.0.0.1");

        var plan = DeployPlanner.For(Config([server], Worker), server, Release, false);

        Assert.That(plan.Services.Single().Routed, Is.False);
    }

    [TestCase("10.0.0.1", new[] { "web" })]
    [TestCase("10.0.0.2", new[] { "worker" })]
    [TestCase("10.0.0.3", new[] { "web", "worker" })]
    public void Services_are_placed_by_server_role(string host, string[] expected)
    {
        ServerConfig[] servers = [Server("10.0.0.1", "web"), Server("10.0.0.2", "worker"), Server("10.0.0.3", "web", "worker")];
        var config = Config(servers, Web, Worker);

        var plan = DeployPlanner.For(config, servers.Single(s => s.Host == host), Release, false);

        Assert.That(plan.Services.Select(s => s.Name), Is.EqualTo(expected));
    }

    [Test]
    public void The_routed_service_stays_routed_on_a_server_that_runs_only_it()
    {
        ServerConfig[] servers = [Server("10.0.0.1", "worker"), Server("10.0.0.2", "web")];

        var plan = DeployPlanner.For(Config(servers, Web, Worker), servers[1], Release, false);

        Assert.That(plan.Services.Single().Routed, Is.True);
    }
}

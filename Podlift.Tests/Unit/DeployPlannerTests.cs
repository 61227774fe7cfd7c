using NUnit.Framework;
using Podlift.Cli.Configuration;
using Podlift.Cli.Planning;
using Podlift.Cli.Commands;
using Podlift.Cli.Jobs;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class DeployPlannerTests
{
    private static readonly Release Release = new("abc1234", "myapp:abc1234", "alice", "Fix the login page");

    private static ServerConfig Server(string host, params string[] roles) => new(host, null, null, null, roles, []);

    /// <summary>Servers named by address in podlift.yml: ssh resolves each to itself.</summary>
    private static DeployPlan For(PodliftConfig config, ServerConfig server, Release release, bool skipHealthcheck) =>
        DeployPlanner.For(config, server, config.Servers.ToDictionary(s => s, s => s.Host), release, skipHealthcheck);

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
    public void An_atomic_rollout_is_asked_of_every_servers_agent_and_a_flag_wins_over_podlift_yml()
    {
        var (primary, web, worker) = (Server("10.0.0.1", "web"), Server("10.0.0.2", "web"), Server("10.0.0.3", "worker"));
        var config = Config([primary, web, worker], Web, Worker) with { Rollout = Rollout.Atomic };
        var addresses = config.Servers.ToDictionary(s => s, s => s.Host);

        Assert.That(config.Servers.Select(s => DeployPlanner.For(config, s, addresses, Release, false, atomic: true).Atomic), Is.All.True);
        Assert.That(For(config, web, Release, false).Atomic, Is.False, "only when asked");
        Assert.That(new DeployOptions(false, false).RolloutFor(config), Is.EqualTo(Rollout.Atomic));
        Assert.That(new DeployOptions(false, false, Parallel: true).RolloutFor(config), Is.EqualTo(Rollout.Parallel));
        Assert.That(new DeployOptions(false, false, Atomic: true).RolloutFor(config with { Rollout = Rollout.Serial }), Is.EqualTo(Rollout.Atomic));
        Assert.That(AtomicRollout.AppliesTo(config, Rollout.Atomic), Is.True);
        Assert.That(AtomicRollout.AppliesTo(config with { Servers = [primary] }, Rollout.Atomic), Is.False, "one server is all or nothing already");
        Assert.That(AtomicRollout.AppliesTo(config, Rollout.Parallel), Is.False);
    }

    [Test]
    public void Verify_goes_in_the_primarys_plan_only_and_needs_a_serial_rollout_over_several_servers()
    {
        var (primary, other) = (Server("10.0.0.1"), Server("10.0.0.2"));
        var config = Config([primary, other], Web) with { Verify = new VerifyConfig(TimeSpan.FromSeconds(30), 0.02, 40) };

        Assert.That(For(config, primary, Release, false).Verify,
            Is.EqualTo(new VerifyPlan { WindowMilliseconds = 30_000, MaxErrorRate = 0.02, MinRequests = 40 }));
        Assert.That(For(config, other, Release, false).Verify, Is.Null);
        Assert.That(new DeployOptions(false, false).RolloutFor(config), Is.EqualTo(Rollout.Serial));
        var error = Assert.Throws<Podlift.Cli.Errors.ValidationException>(() => new DeployOptions(false, false, Parallel: true).RolloutFor(config))!;
        Assert.That(error.Message, Does.Contain("needs a serial rollout, not parallel"));
        Assert.That(new DeployOptions(false, false, Atomic: true).RolloutFor(config with { Servers = [primary] }), Is.EqualTo(Rollout.Atomic), "one server: nothing to wait for");
    }

    [Test]
    public void An_atomic_rollout_is_refused_when_the_primary_does_not_run_the_routed_service()
    {
        var config = Config([Server("10.0.0.3", "worker"), Server("10.0.0.2", "web")], Web, Worker);

        var error = Assert.Throws<Podlift.Cli.Errors.ValidationException>(() => AtomicRollout.AppliesTo(config, Rollout.Atomic))!;

        Assert.That(error.Message, Does.Contain("an atomic rollout needs the primary (10.0.0.3) to run web"));
        Assert.That(error.Fix, Does.Contain("give 10.0.0.3 the web role"));
    }

    [Test]
    public void Plan_carries_the_release_and_app_settings()
    {
        var server = Server("10.0.0.1");
        var config = Config([server], Web) with { Domains = ["example.com"], Drain = TimeSpan.FromSeconds(45), Proxy = new ProxyConfig(false) };

        var plan = For(config, server, Release, skipHealthcheck: true);

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
    public void The_proxy_plan_carries_every_host_name_the_limits_and_the_trusted_proxies()
    {
        var server = Server("10.0.0.1");
        var proxy = new ProxyConfig(true) { MaxBodyBytes = 0, ReadTimeout = TimeSpan.FromMinutes(5), SendTimeout = TimeSpan.FromSeconds(7), TrustedProxies = ["10.0.0.0/8"] };
        var config = Config([server], Web) with { Domains = ["example.com", "www.example.com"], Proxy = proxy };

        var plan = For(config, server, Release, skipHealthcheck: false).Proxy;

        Assert.That(plan.Domains, Is.EqualTo(new[] { "example.com", "www.example.com" }));
        Assert.That(plan.Domain, Is.EqualTo("example.com"), "what an agent that does not know `domains` reads");
        Assert.That(plan.Limits, Is.EqualTo(new ProxyLimits { MaxBodyBytes = 0, ReadTimeoutMilliseconds = 300_000, SendTimeoutMilliseconds = 7_000 }));
        Assert.That(plan.TrustedProxies, Is.EqualTo(new[] { "10.0.0.0/8" }));
    }

    [Test]
    public void Only_the_primarys_plan_carries_the_release_command()
    {
        var servers = new[] { Server("10.0.0.1"), Server("10.0.0.2") };
        var config = Config(servers, Web) with { Release = new ReleaseConfig(["python", "manage.py", "migrate"], "web", TimeSpan.FromMinutes(3)) };

        var primary = For(config, servers[0], Release, skipHealthcheck: false);
        var other = For(config, servers[1], Release, skipHealthcheck: false);

        Assert.That(primary.Release.Command, Is.EqualTo(new[] { "python", "manage.py", "migrate" }));
        Assert.That((primary.Release.Service, primary.Release.TimeoutMilliseconds), Is.EqualTo(("web", 180_000L)));
        Assert.That(other.Release, Is.Null, "the release runs once per deploy");
    }

    [Test]
    public void Without_a_domain_the_proxy_domain_is_empty()
    {
        var server = Server("10.0.0.1");

        var plan = For(Config([server], Web), server, Release, skipHealthcheck: false);

        Assert.That(plan.Proxy.Domain, Is.Empty);
        Assert.That(plan.Proxy.Enabled, Is.True);
        Assert.That(plan.SkipHealthcheck, Is.False);
        Assert.That(plan.DrainMilliseconds, Is.EqualTo(30_000));
    }

    [Test]
    public void Http_service_plan_copies_port_command_env_and_health_check()
    {
        var server = Server("10.0.0.1");

        var web = For(Config([server], Web, Worker), server, Release, false).Services.Single(s => s.Name == "web");

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

        var worker = For(Config([server], Web, Worker), server, Release, false).Services.Single(s => s.Name == "worker");

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

        var plan = For(Config([server], Worker, web, api), server, Release, false);

        Assert.That(plan.Services.Where(s => s.Routed).Select(s => s.Name), Is.EqualTo(new[] { "api" }));
    }

    [Test]
    public void Only_background_services_means_nothing_is_routed()
    {
        var server = Server("10.0.0.1");

        var plan = For(Config([server], Worker), server, Release, false);

        Assert.That(plan.Services.Single().Routed, Is.False);
    }

    [TestCase("10.0.0.1", new[] { "web" })]
    [TestCase("10.0.0.2", new[] { "worker" })]
    [TestCase("10.0.0.3", new[] { "web", "worker" })]
    public void Services_are_placed_by_server_role(string host, string[] expected)
    {
        ServerConfig[] servers = [Server("10.0.0.1", "web"), Server("10.0.0.2", "worker"), Server("10.0.0.3", "web", "worker")];
        var config = Config(servers, Web, Worker);

        var plan = For(config, servers.Single(s => s.Host == host), Release, false);

        Assert.That(plan.Services.Select(s => s.Name), Is.EqualTo(expected));
    }

    [Test]
    public void The_routed_service_stays_routed_on_a_server_that_runs_only_it()
    {
        ServerConfig[] servers = [Server("10.0.0.1", "worker"), Server("10.0.0.2", "web")];

        var plan = For(Config(servers, Web, Worker), servers[1], Release, false);

        Assert.That(plan.Services.Single().Routed, Is.True);
    }

    private static ServerConfig Primary(string host, params string[] roles) => new(host, null, null, null, roles, ["primary"]);

    // 10.0.0.2 is the primary, 10.0.0.1 a second web server, 10.0.0.3 runs only the worker
    private static readonly ServerConfig[] ThreeServers = [Server("10.0.0.1", "web"), Primary("10.0.0.2", "web"), Server("10.0.0.3", "worker")];

    private static DeployPlan PlanOn(PodliftConfig config, string host) =>
        For(config, config.Servers.Single(s => s.Host == host), Release, false);

    [TestCase("10.0.0.1", "10.0.0.2")]
    [TestCase("10.0.0.2", "")]
    [TestCase("10.0.0.3", "10.0.0.2")]
    public void Containers_reach_the_primary_at_its_host_and_the_primary_has_no_primary_address(string host, string primaryAddress)
    {
        var network = PlanOn(Config(ThreeServers, Web, Worker), host).Network;

        Assert.That(network.PrimaryAddress, Is.EqualTo(primaryAddress));
        Assert.That(network.AdvertisedAddress, Is.EqualTo(host));
    }

    [TestCase("10.0.0.1", new[] { "10.0.0.2", "10.0.0.3" })]
    [TestCase("10.0.0.2", new[] { "10.0.0.1", "10.0.0.3" })]
    [TestCase("10.0.0.3", new[] { "10.0.0.1", "10.0.0.2" })]
    public void Peers_are_the_other_servers(string host, string[] peers)
    {
        Assert.That(PlanOn(Config(ThreeServers, Web, Worker), host).Network.Peers, Is.EqualTo(peers));
    }

    [Test]
    public void A_single_server_has_no_peers_and_awaits_no_primary()
    {
        var server = Server("10.0.0.1");

        var network = For(Config([server], Web), server, Release, false).Network;

        Assert.That(network.Peers, Is.Empty);
        Assert.That(network.PrimaryAddress, Is.Empty);
        Assert.That(network.AwaitsPrimary, Is.False);
    }

    [TestCase("10.0.0.1", true, TestName = "a second web server awaits the primary")]
    [TestCase("10.0.0.2", false, TestName = "the primary awaits no one")]
    [TestCase("10.0.0.3", false, TestName = "a worker-only server is not routed to")]
    public void Only_non_primary_servers_running_the_routed_service_await_the_primary(string host, bool awaits)
    {
        Assert.That(PlanOn(Config(ThreeServers, Web, Worker), host).Network.AwaitsPrimary, Is.EqualTo(awaits));
    }

    [Test]
    public void Without_the_proxy_no_server_awaits_the_primary()
    {
        var config = Config(ThreeServers, Web, Worker) with { Proxy = new ProxyConfig(false) };

        Assert.That(PlanOn(config, "10.0.0.1").Network.AwaitsPrimary, Is.False);
    }

    [Test]
    public void Without_a_routed_service_no_server_awaits_the_primary()
    {
        ServerConfig[] servers = [Server("10.0.0.1"), Primary("10.0.0.2")];

        Assert.That(PlanOn(Config(servers, Worker), "10.0.0.1").Network.AwaitsPrimary, Is.False);
    }

    [Test]
    public void Servers_named_by_ssh_alias_are_sent_to_the_agents_by_their_real_addresses()
    {
        // podlift.yml: prod-a (primary, web), prod-b (web), prod-c (worker, with redis); ~/.ssh/config gives their HostNames
        ServerConfig[] servers = [Primary("prod-a", "web"), Server("prod-b", "web"), Server("prod-c", "worker")];
        var config = Config(servers, Web, Worker) with
        {
            Dependencies = [new DependencyConfig { Name = "postgres", Image = "postgres:16" }, new DependencyConfig { Name = "redis", Image = "redis:7", PlacedOn = servers[2] }],
        };
        var addresses = new Dictionary<ServerConfig, string> { [servers[0]] = "10.0.0.5", [servers[1]] = "10.0.0.6", [servers[2]] = "db.internal.example.com" };

        var primary = DeployPlanner.For(config, servers[0], addresses, Release, false).Network;
        var web = DeployPlanner.For(config, servers[1], addresses, Release, false).Network;
        var worker = DeployPlanner.For(config, servers[2], addresses, Release, false).Network;

        using (Assert.EnterMultipleScope())
        {
            Assert.That((primary.PrimaryAddress, primary.AdvertisedAddress), Is.EqualTo(("", "10.0.0.5")));
            Assert.That(primary.Peers, Is.EqualTo(new[] { "10.0.0.6", "db.internal.example.com" }));
            Assert.That(primary.DependencyHosts, Is.EquivalentTo(new Dictionary<string, string> { ["redis"] = "db.internal.example.com" }));
            Assert.That((web.PrimaryAddress, web.AdvertisedAddress), Is.EqualTo(("10.0.0.5", "10.0.0.6")));
            Assert.That(web.Peers, Is.EqualTo(new[] { "10.0.0.5", "db.internal.example.com" }));
            Assert.That(web.DependencyHosts, Is.EquivalentTo(new Dictionary<string, string> { ["postgres"] = "10.0.0.5", ["redis"] = "db.internal.example.com" }));
            Assert.That(worker.PrimaryAddress, Is.EqualTo("10.0.0.5"));
            Assert.That(worker.Peers, Is.EqualTo(new[] { "10.0.0.5", "10.0.0.6" }));
        }
        var everything = string.Join(" ", new[] { primary, web, worker }.Select(n => n.ToString()));
        Assert.That(everything, Does.Not.Contain("prod-"), "no ssh alias reaches an agent");
    }

    private static PodliftConfig WithSsl(SslMode mode) =>
        Config(ThreeServers, Web, Worker) with { Domains = ["shop.example.com"], Proxy = new ProxyConfig(true, mode) };

    [TestCase(SslMode.LetsEncrypt, "/etc/letsencrypt/live/shop.example.com/fullchain.pem", "/etc/letsencrypt/live/shop.example.com/privkey.pem")]
    [TestCase(SslMode.Manual, "/etc/podlift/tls/myapp/fullchain.pem", "/etc/podlift/tls/myapp/privkey.pem")]
    public void Tls_is_in_the_primary_plan_with_the_certificate_paths(SslMode mode, string certificate, string key)
    {
        var tls = PlanOn(WithSsl(mode), "10.0.0.2").Proxy.Tls;

        Assert.That(tls, Is.Not.Null);
        Assert.That((tls.CertificatePath, tls.KeyPath), Is.EqualTo((certificate, key)));
    }

    [TestCase(SslMode.LetsEncrypt)]
    [TestCase(SslMode.Manual)]
    public void Tls_ends_at_the_primary_so_other_plans_have_none(SslMode mode)
    {
        Assert.That(PlanOn(WithSsl(mode), "10.0.0.1").Proxy.Tls, Is.Null);
        Assert.That(PlanOn(WithSsl(mode), "10.0.0.3").Proxy.Tls, Is.Null);
    }

    [Test]
    public void Without_ssl_no_plan_has_tls()
    {
        Assert.That(PlanOn(WithSsl(SslMode.Off), "10.0.0.2").Proxy.Tls, Is.Null);
        Assert.That(DeployPlanner.TlsFor(WithSsl(SslMode.Off)), Is.Null);
    }

    private static PodliftConfig WithDependenciesAndHooks() => Config(ThreeServers, Web, Worker) with
    {
        Dependencies =
        [
            new DependencyConfig
            {
                Name = "postgres", Image = "postgres:16", Port = 5432, Volume = "pgdata:/var/lib/postgresql/data",
                Env = new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = "s3cret" }, Command = ["postgres", "-c", "fsync=off"],
                Options = new ContainerOptionsConfig(1L << 30, 1.5, "always"),
            },
            new DependencyConfig { Name = "redis", Image = "redis:7" },
        ],
        Hooks = new HooksConfig(["./check"], ["./migrate", "./notify"], ["./rolled-back"]),
    };

    [Test]
    public void Dependencies_and_hooks_are_in_the_primary_plan()
    {
        var plan = PlanOn(WithDependenciesAndHooks(), "10.0.0.2");

        var postgres = plan.Dependencies[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.Dependencies.Select(d => d.Name), Is.EqualTo(new[] { "postgres", "redis" }));
            Assert.That((postgres.Image, postgres.Port, postgres.Volume), Is.EqualTo(("postgres:16", 5432, "pgdata:/var/lib/postgresql/data")));
            Assert.That(postgres.Env, Is.EquivalentTo(new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = "s3cret" }));
            Assert.That(postgres.Command, Is.EqualTo(new[] { "postgres", "-c", "fsync=off" }));
            Assert.That((postgres.Options.MemoryBytes, postgres.Options.Cpus, postgres.Options.Restart), Is.EqualTo((1L << 30, 1.5, "always")));
            Assert.That(plan.Dependencies[1].Volume, Is.Empty);
            Assert.That(plan.Dependencies[1].Options.Restart, Is.Empty, "empty: the agent's default");
            Assert.That(plan.Hooks.BeforeDeploy, Is.EqualTo(new[] { "./check" }));
            Assert.That(plan.Hooks.AfterDeploy, Is.EqualTo(new[] { "./migrate", "./notify" }));
            Assert.That(plan.Hooks.AfterRollback, Is.EqualTo(new[] { "./rolled-back" }));
            Assert.That(plan.Network.DependencyHosts, Is.Empty, "its containers reach the dependencies on the app network");
        }
    }

    [TestCase("10.0.0.1")]
    [TestCase("10.0.0.3")]
    public void Other_servers_get_no_dependencies_and_no_hooks_but_reach_the_dependencies_on_the_primary(string host)
    {
        var plan = PlanOn(WithDependenciesAndHooks(), host);

        Assert.That(plan.Dependencies, Is.Empty);
        Assert.That(plan.Hooks, Is.Null);
        Assert.That(plan.Network.DependencyHosts, Is.EquivalentTo(new Dictionary<string, string> { ["postgres"] = "10.0.0.2", ["redis"] = "10.0.0.2" }));
    }

    [Test]
    public void A_placed_dependency_is_in_its_servers_plan_only_and_the_others_reach_it_there()
    {
        var config = WithDependenciesAndHooks() is var c
            ? c with { Dependencies = [c.Dependencies[0], c.Dependencies[1] with { PlacedOn = ThreeServers[2] }] }
            : null!;

        var primary = PlanOn(config, "10.0.0.2");
        var worker = PlanOn(config, "10.0.0.3");
        var web = PlanOn(config, "10.0.0.1");

        Assert.That(primary.Dependencies.Select(d => d.Name), Is.EqualTo(new[] { "postgres" }));
        Assert.That(primary.Network.DependencyHosts, Is.EquivalentTo(new Dictionary<string, string> { ["redis"] = "10.0.0.3" }));
        Assert.That(worker.Dependencies.Select(d => d.Name), Is.EqualTo(new[] { "redis" }));
        Assert.That(worker.Hooks, Is.Null, "hooks stay on the primary");
        Assert.That(worker.Network.DependencyHosts, Is.EquivalentTo(new Dictionary<string, string> { ["postgres"] = "10.0.0.2" }));
        Assert.That(web.Dependencies, Is.Empty);
        Assert.That(web.Network.DependencyHosts, Is.EquivalentTo(new Dictionary<string, string> { ["postgres"] = "10.0.0.2", ["redis"] = "10.0.0.3" }));
    }

    [Test]
    public void Versions_kept_is_the_retain_setting()
    {
        var server = Server("10.0.0.1");

        Assert.That(For(Config([server], Web) with { Retain = 7 }, server, Release, false).VersionsKept, Is.EqualTo(7));
    }

    [Test]
    public void Service_plan_copies_volumes_options_and_whether_the_image_healthcheck_wins()
    {
        var server = Server("10.0.0.1");
        var web = Web with
        {
            Volumes = ["uploads:/app/uploads", "/srv/static:/app/static:ro"],
            Options = new ContainerOptionsConfig(512L << 20, 0.5, "on-failure:3"),
            HealthCheckImplicit = false,
        };
        var worker = Worker with { HealthCheckImplicit = true };

        var plan = For(Config([server], web, worker), server, Release, false);

        var webPlan = plan.Services.Single(s => s.Name == "web");
        var workerPlan = plan.Services.Single(s => s.Name == "worker");
        Assert.That(webPlan.Volumes, Is.EqualTo(new[] { "uploads:/app/uploads", "/srv/static:/app/static:ro" }));
        Assert.That((webPlan.Options.MemoryBytes, webPlan.Options.Cpus, webPlan.Options.Restart), Is.EqualTo((512L << 20, 0.5, "on-failure:3")));
        Assert.That(webPlan.ImageHealthcheck, Is.False);
        Assert.That(workerPlan.ImageHealthcheck, Is.True);
        Assert.That(workerPlan.Options.Restart, Is.Empty);
    }
}

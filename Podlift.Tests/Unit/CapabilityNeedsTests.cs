using System.Reflection;
using Podlift.Cli.Configuration;
using Podlift.Cli.Planning;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class CapabilityNeedsTests
{
    /// <summary>What protocol 1 could already do: one server, one service with an HTTP check, the proxy.</summary>
    private static DeployPlan Basic()
    {
        var plan = new DeployPlan
        {
            App = "shop", Version = "abc1234", Image = "shop:abc1234", Proxy = new ProxyPlan { Enabled = true }, Network = new NetworkPlan(),
        };
        plan.Services.Add(new ServicePlan { Name = "web", Replicas = 2, ContainerPort = 3000, Routed = true, Healthcheck = new HealthCheckPlan { Path = "/up" } });
        return plan;
    }

    private static List<string> Required(IEnumerable<CapabilityNeed> needs) => needs.Where(n => !n.Optional).Select(n => n.Capability).ToList();

    [Test]
    public void A_protocol_1_plan_needs_nothing_but_offers_the_layer_delta()
    {
        var needs = CapabilityNeeds.ForDeploy(Basic(), registry: false);

        Assert.That(Required(needs), Is.Empty);
        Assert.That(needs, Is.EqualTo(new[]
        {
            new CapabilityNeed(Capabilities.ProxySettings, "the proxy limits (request body size, read and send timeouts)", "nginx keeps its own limits: 1 MB request bodies, 60 s reads"),
            new CapabilityNeed(Capabilities.LayerDelta, "sending only the layers a server lacks, compressed", "the whole image is sent, uncompressed"),
        }));
    }

    private static IEnumerable<TestCaseData> PlanFields()
    {
        TestCaseData Case(string capability, Action<DeployPlan> set, string name) => new TestCaseData(set, capability).SetArgDisplayNames(name);

        yield return Case(Capabilities.HookEnvironment, p => p.Hooks = new HooksPlan { BeforeDeploy = { "migrate --password \"$DB_PASSWORD\"" }, Environment = { ["DB_PASSWORD"] = "s3cret" } },
            "hooks.environment");
        yield return Case(Capabilities.Hooks, p => p.Hooks = new HooksPlan { AfterRollback = { "notify" } }, "hooks");
        yield return Case(Capabilities.Release, p => p.Release = new ReleasePlan { Command = { "migrate" } }, "release");
        yield return Case(Capabilities.ProxySettings, p => p.Proxy.Domains.AddRange(["a.example.com", "b.example.com"]), "proxy.domains");
        yield return Case(Capabilities.ProxySettings, p => p.Proxy.TrustedProxies.Add("10.0.0.0/8"), "proxy.trusted_proxies");
        yield return Case(Capabilities.DependencyHosts, p => p.Network.DependencyHosts["postgres"] = "10.0.0.2", "network.dependency_hosts");
        yield return Case(Capabilities.MultiServer, p => p.Network.Peers.Add("10.0.0.2"), "network.peers");
        yield return Case(Capabilities.MultiServer, p => p.Network.PrimaryAddress = "10.0.0.1", "network.primary_address");
        yield return Case(Capabilities.Dependencies, p => p.Dependencies.Add(new DependencyPlan { Name = "postgres", Image = "postgres:16" }), "dependencies");
        yield return Case(Capabilities.Volumes, p => p.Services[0].Volumes.Add("data:/data"), "services.volumes");
        yield return Case(Capabilities.ContainerOptions, p => p.Services[0].Options = new ContainerOptions { MemoryBytes = 256 << 20 }, "services.options");
        yield return Case(Capabilities.ContainerOptions,
            p => p.Dependencies.Add(new DependencyPlan { Name = "redis", Options = new ContainerOptions { Restart = "always" } }), "dependencies.options");
        yield return Case(Capabilities.ImageHealthcheck, p => p.Services[0].ImageHealthcheck = true, "services.image_healthcheck");
        yield return Case(Capabilities.Tls, p => p.Proxy.Tls = new TlsPlan { CertificatePath = "/c", KeyPath = "/k" }, "proxy.tls");
        yield return Case(Capabilities.AppSource, p => p.Source = "git@example.com:shop.git", "source");
    }

    [TestCaseSource(nameof(PlanFields))]
    public void A_field_an_older_agent_would_drop_needs_its_capability(Action<DeployPlan> set, string capability)
    {
        var plan = Basic();
        set(plan);

        Assert.That(Required(CapabilityNeeds.ForDeploy(plan, registry: false)), Does.Contain(capability));
    }

    [Test]
    public void Empty_fields_need_nothing()
    {
        var plan = Basic();
        plan.Hooks = new HooksPlan();
        plan.Services[0].Options = new ContainerOptions();

        Assert.That(Required(CapabilityNeeds.ForDeploy(plan, registry: false)), Is.Empty);
    }

    [Test]
    public void Hook_environment_is_named_by_its_variables_never_their_values()
    {
        var plan = Basic();
        plan.Hooks = new HooksPlan { BeforeDeploy = { "migrate" }, Environment = { ["DB_PASSWORD"] = "s3cret", ["API_KEY"] = "k3y" } };

        var need = CapabilityNeeds.ForDeploy(plan, registry: false).Single(n => n.Capability == Capabilities.HookEnvironment);

        Assert.That(need.Reason, Is.EqualTo("hooks that name ${API_KEY}, ${DB_PASSWORD}"));
    }

    [Test]
    public void Registry_mode_needs_the_pull_and_not_the_layer_delta()
    {
        var needs = CapabilityNeeds.ForDeploy(Basic(), registry: true);

        Assert.That(Required(needs), Is.EqualTo(new[] { Capabilities.PullImage }));
        Assert.That(needs.Select(n => n.Capability), Does.Not.Contain(Capabilities.LayerDelta));
    }

    [Test]
    public void Retain_is_optional_the_agent_keeping_its_own_number()
    {
        var plan = Basic();
        plan.VersionsKept = 5;

        var need = CapabilityNeeds.ForDeploy(plan, registry: false).Single(n => n.Capability == Capabilities.VersionsKept);

        Assert.That(need.Optional, Is.True);
        Assert.That(need.Reason, Is.EqualTo("retain: 5"));
    }

    [Test]
    public void The_plans_of_a_configuration_need_what_it_uses_on_each_server()
    {
        ServerConfig Server(string host) => new(host, "root", 22, null, [], []);
        var (primary, other) = (Server("10.0.0.1"), Server("10.0.0.2"));
        var config = new PodliftConfig
        {
            App = "shop", Image = "shop", Servers = [primary, other], SourcePath = "/project/podlift.yml",
            Services = [new ServiceConfig { Name = "web", Port = 3000 }],
            Dependencies = [new DependencyConfig { Name = "postgres", Image = "postgres:16", PlacedOn = other }],
            Hooks = new HooksConfig(["migrate"], [], []) { Environment = new Dictionary<string, string> { ["DB_PASSWORD"] = "s3cret" } },
        };
        var release = new Release("abc1234", "shop:abc1234", "ana", "v2", "git@example.com:shop.git");

        var onPrimary = Required(CapabilityNeeds.ForDeploy(DeployPlanner.For(config, primary, config.Servers.ToDictionary(s => s, s => s.Host), release, false), registry: false));
        var onOther = Required(CapabilityNeeds.ForDeploy(DeployPlanner.For(config, other, config.Servers.ToDictionary(s => s, s => s.Host), release, false), registry: false));

        Assert.That(onPrimary, Is.SupersetOf(new[] { Capabilities.HookEnvironment, Capabilities.Hooks, Capabilities.DependencyHosts, Capabilities.MultiServer, Capabilities.AppSource }));
        Assert.That(onOther, Does.Contain(Capabilities.Dependencies).And.Not.Contain(Capabilities.HookEnvironment).And.Not.Contain(Capabilities.DependencyHosts),
            "hooks run on the primary; the dependency runs here");
    }

    [Test]
    public void A_rollback_needs_the_rollback_and_what_its_request_and_servers_use()
    {
        var request = new RollbackRequest { App = "shop", Hooks = new HooksPlan { AfterRollback = { "notify \"$TOKEN\"" }, Environment = { ["TOKEN"] = "t" } } };

        var alone = CapabilityNeeds.ForRollback(new RollbackRequest { App = "shop", Hooks = new HooksPlan() }, registry: false, multiServer: false);
        var full = CapabilityNeeds.ForRollback(request, registry: true, multiServer: true);

        Assert.That(Required(alone), Is.EqualTo(new[] { Capabilities.Rollback }));
        Assert.That(Required(full), Is.EquivalentTo(new[] { Capabilities.Rollback, Capabilities.MultiServer, Capabilities.Hooks, Capabilities.HookEnvironment }));
        Assert.That(full.Single(n => n.Capability == Capabilities.PullImage).Optional, Is.True, "the registry restore is best effort");
    }

    [Test]
    public void An_atomic_rollback_needs_agents_that_know_it()
    {
        var atomic = CapabilityNeeds.ForRollback(new RollbackRequest { App = "shop", Atomic = true, Hooks = new HooksPlan() }, registry: false, multiServer: true);

        Assert.That(Required(atomic), Is.EquivalentTo(new[] { Capabilities.Rollback, Capabilities.MultiServer, Capabilities.AtomicRollback }),
            "an older agent would drop the field and roll back on its own: refused instead");
    }

    [Test]
    public void Logs_and_exec_of_a_dependency_need_the_dependency_flag()
    {
        Assert.That(Required(CapabilityNeeds.ForLogs(dependency: false)), Is.EqualTo(new[] { Capabilities.Logs }));
        Assert.That(Required(CapabilityNeeds.ForLogs(dependency: true)), Is.EqualTo(new[] { Capabilities.Logs, Capabilities.DependencyTargets }));
        Assert.That(Required(CapabilityNeeds.ForExec(dependency: true)), Is.EqualTo(new[] { Capabilities.Exec, Capabilities.DependencyTargets }));
    }

    [Test]
    public void Every_capability_is_advertised_once()
    {
        var constants = typeof(Capabilities).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.That(Capabilities.Supported, Is.EquivalentTo(constants));
        Assert.That(Capabilities.Supported, Is.Unique);
        Assert.That(Capabilities.Supported, Has.All.Match("^[a-z]+(-[a-z]+)*$"));
    }
}

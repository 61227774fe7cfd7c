using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class ContainerSpecsTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 12, 30, 0, TimeSpan.Zero);

    private static DeployPlan Plan() => new() { App = "myapp", Version = "abc1234", Image = "myapp:abc1234", DeployedBy = "alice" };

    private static ServicePlan Web(ContainerOptions? options = null)
    {
        var service = new ServicePlan { Name = "web", Replicas = 2, ContainerPort = 8000, Options = options };
        service.Env.Add("MODE", "production");
        service.Command.AddRange(["gunicorn", "app:app"]);
        service.Volumes.AddRange(["uploads:/app/uploads", "/srv/static:/app/static:ro"]);
        return service;
    }

    private static ContainerSpec ForWeb(ContainerOptions? options = null, string? bindAddress = null) => bindAddress is null
        ? ContainerSpecs.ForService(Plan(), Web(options), 2, 20002, "d-42", At, "10.0.0.2")
        : ContainerSpecs.ForService(Plan(), Web(options), 2, 20002, "d-42", At, "10.0.0.2", bindAddress);

    [Test]
    public void Service_container_is_named_and_labelled_so_state_can_be_rebuilt_from_docker()
    {
        var spec = ForWeb();

        Assert.That(spec.Name, Is.EqualTo("myapp-web-abc1234-2"));
        Assert.That(spec.Labels, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["podlift.service"] = "myapp",
            ["podlift.role"] = "web",
            ["podlift.version"] = "abc1234",
            ["podlift.replica"] = "2",
            ["podlift.deployed_at"] = "2025-06-01T12:30:00.0000000+00:00",
            ["podlift.deployed_by"] = "alice",
            ["podlift.deploy_id"] = "d-42",
        }));
    }

    [Test]
    public void Dependencies_on_other_servers_are_reached_by_name_at_their_servers_address()
    {
        var spec = ContainerSpecs.ForService(Plan(), Web(null), 1, 20001, "d-42", At, "10.0.0.2", ContainerSpecs.LoopbackAddress,
            new Dictionary<string, string> { ["redis"] = "10.0.0.3", ["postgres"] = "10.0.0.2" });

        Assert.That(spec.ExtraHosts, Is.EqualTo(new[] { "primary:10.0.0.2", "postgres:10.0.0.2", "redis:10.0.0.3" }));
    }

    [Test]
    public void Service_container_runs_the_plan_on_the_app_network_and_reaches_the_primary_by_name()
    {
        var spec = ForWeb();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(spec.Image, Is.EqualTo("myapp:abc1234"));
            Assert.That(spec.Env, Is.EquivalentTo(new Dictionary<string, string> { ["MODE"] = "production" }));
            Assert.That(spec.Command, Is.EqualTo(new[] { "gunicorn", "app:app" }));
            Assert.That((spec.ContainerPort, spec.HostPort), Is.EqualTo((8000, 20002)));
            Assert.That(spec.Network, Is.EqualTo("podlift-myapp"));
            Assert.That(spec.ExtraHosts, Is.EqualTo(new[] { "primary:10.0.0.2" }));
            Assert.That(spec.Volumes, Is.EqualTo(new[] { "uploads:/app/uploads", "/srv/static:/app/static:ro" }));
        }
    }

    [Test]
    public void Service_port_is_bound_to_loopback_unless_told_otherwise()
    {
        Assert.That(ForWeb().BindAddress, Is.EqualTo("127.0.0.1"));
        Assert.That(ForWeb(bindAddress: ContainerSpecs.AllInterfaces).BindAddress, Is.EqualTo("0.0.0.0"));
    }

    private static IEnumerable<TestCaseData> RestartPolicies()
    {
        yield return new TestCaseData(null, "unless-stopped").SetArgDisplayNames("no options");
        yield return new TestCaseData(new ContainerOptions(), "unless-stopped").SetArgDisplayNames("empty restart");
        yield return new TestCaseData(new ContainerOptions { Restart = "always" }, "always").SetArgDisplayNames("always");
        yield return new TestCaseData(new ContainerOptions { Restart = "on-failure:3" }, "on-failure:3").SetArgDisplayNames("on-failure:3");
    }

    [TestCaseSource(nameof(RestartPolicies))]
    public void Restart_defaults_to_unless_stopped(ContainerOptions? options, string expected)
    {
        Assert.That(ForWeb(options).Restart, Is.EqualTo(expected));
        Assert.That(ContainerSpecs.ForDependency("myapp", Postgres(options: options), "172.18.0.1").Restart, Is.EqualTo(expected));
    }

    [Test]
    public void Limits_are_copied_from_the_options()
    {
        var spec = ForWeb(new ContainerOptions { MemoryBytes = 512L << 20, Cpus = 0.5 });

        Assert.That((spec.MemoryBytes, spec.Cpus), Is.EqualTo((512L << 20, 0.5)));
        Assert.That((ForWeb().MemoryBytes, ForWeb().Cpus), Is.EqualTo((0L, 0.0)), "no options: no limits");
    }

    private static DependencyPlan Postgres(string image = "postgres:16", int port = 5432, string volume = "pgdata:/var/lib/postgresql/data",
        (string, string)[]? env = null, string[]? command = null, ContainerOptions? options = null)
    {
        var dependency = new DependencyPlan { Name = "postgres", Image = image, Port = port, Volume = volume, Options = options };
        foreach (var (name, value) in env ?? [("POSTGRES_USER", "app"), ("POSTGRES_PASSWORD", "s3cret")]) dependency.Env.Add(name, value);
        dependency.Command.AddRange(command ?? []);
        return dependency;
    }

    [Test]
    public void Dependency_is_named_after_the_app_and_reachable_under_its_own_name()
    {
        var dependency = Postgres();

        var spec = ContainerSpecs.ForDependency("myapp", dependency, "172.18.0.1");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(spec.Name, Is.EqualTo("myapp-postgres"));
            Assert.That(spec.Network, Is.EqualTo("podlift-myapp"));
            Assert.That(spec.Aliases, Is.EqualTo(new[] { "postgres" }));
            Assert.That((spec.ContainerPort, spec.HostPort, spec.BindAddress), Is.EqualTo((5432, 5432, "172.18.0.1")));
            Assert.That(spec.Volumes, Is.EqualTo(new[] { "pgdata:/var/lib/postgresql/data" }));
            Assert.That(spec.Labels, Is.EquivalentTo(new Dictionary<string, string>
            {
                ["podlift.dependency_of"] = "myapp",
                ["podlift.dependency"] = "postgres",
                ["podlift.config_hash"] = ContainerSpecs.ConfigHash(dependency),
            }));
            Assert.That(spec.Labels.ContainsKey(PodliftLabels.App), Is.False, "a deploy never takes it for an app container");
        }
    }

    [Test]
    public void Dependency_without_a_volume_mounts_nothing()
    {
        Assert.That(ContainerSpecs.ForDependency("myapp", Postgres(volume: ""), "172.18.0.1").Volumes, Is.Empty);
    }

    [Test]
    public void ConfigHash_is_sixteen_hex_digits_and_stable()
    {
        var hash = ContainerSpecs.ConfigHash(Postgres());

        Assert.That(hash, Does.Match("^[0-9a-f]{16}$"));
        Assert.That(ContainerSpecs.ConfigHash(Postgres()), Is.EqualTo(hash));
    }

    [Test]
    public void ConfigHash_does_not_depend_on_the_order_of_env()
    {
        var forwards = Postgres(env: [("A", "1"), ("B", "2")]);
        var backwards = Postgres(env: [("B", "2"), ("A", "1")]);

        Assert.That(ContainerSpecs.ConfigHash(backwards), Is.EqualTo(ContainerSpecs.ConfigHash(forwards)));
    }

    private static IEnumerable<TestCaseData> Changes()
    {
        yield return new TestCaseData(Postgres(image: "postgres:17")).SetArgDisplayNames("image");
        yield return new TestCaseData(Postgres(port: 5433)).SetArgDisplayNames("port");
        yield return new TestCaseData(Postgres(volume: "other:/var/lib/postgresql/data")).SetArgDisplayNames("volume");
        yield return new TestCaseData(Postgres(env: [("POSTGRES_USER", "app"), ("POSTGRES_PASSWORD", "changed")])).SetArgDisplayNames("env value");
        yield return new TestCaseData(Postgres(env: [("POSTGRES_USER", "app")])).SetArgDisplayNames("env removed");
        yield return new TestCaseData(Postgres(command: ["postgres", "-c", "fsync=off"])).SetArgDisplayNames("command");
        yield return new TestCaseData(Postgres(options: new ContainerOptions { MemoryBytes = 1L << 30 })).SetArgDisplayNames("memory");
        yield return new TestCaseData(Postgres(options: new ContainerOptions { Restart = "always" })).SetArgDisplayNames("restart");
    }

    [TestCaseSource(nameof(Changes))]
    public void ConfigHash_changes_when_the_configuration_changes(DependencyPlan changed)
    {
        Assert.That(ContainerSpecs.ConfigHash(changed), Is.Not.EqualTo(ContainerSpecs.ConfigHash(Postgres())));
    }
}

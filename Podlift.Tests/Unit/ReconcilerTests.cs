using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Deploy;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>What a restarted agent makes of what a killed one left, on a fake Docker and nginx.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class ReconcilerTests
{
    private const string App = "shop";
    private readonly TempDirectory _dir = new();
    private readonly FakeContainerRuntime _docker = new();
    private readonly FakeReverseProxy _nginx = new();
    private readonly StateStore _store;

    public ReconcilerTests() => _store = new StateStore(_dir.Path);

    [TearDown]
    public void CleanUp() => _dir.Dispose();

    private static DeployPlan Plan(string version)
    {
        var plan = new DeployPlan { App = App, Version = version, Image = $"shop:{version}", Proxy = new ProxyPlan { Enabled = true } };
        plan.Services.Add(new ServicePlan { Name = "web", Replicas = 1, ContainerPort = 8000, Routed = true, Healthcheck = new HealthCheckPlan { Path = "/health" } });
        return plan;
    }

    private FakeContainerRuntime.Container Container(DeployPlan plan, int port, bool running, string name) =>
        _docker.Add(ContainerSpecs.ForService(plan, plan.Services[0], 1, port, $"d-{plan.Version}", DateTimeOffset.UtcNow, "172.18.0.1") with { Name = name }, running);

    private void Record(DeployPlan plan, FakeContainerRuntime.Container container) => _store.Save(new AppRecord
    {
        App = App,
        Current = new DeploymentRecord
        {
            Version = plan.Version, Image = plan.Image, DeployId = $"d-{plan.Version}", DeployedAt = DateTimeOffset.UtcNow,
            Containers = [new ContainerRecord(container.Name, container.Id, "web", 1, container.Spec.HostPort)],
        }.WithPlan(plan),
    });

    private void Routes(params int[] ports) =>
        _nginx.Sites[App] = new NginxSite(App, "web", [], ports.Select(p => new UpstreamServer("127.0.0.1", p, "c")).ToList(), false);

    private Reconciler Reconciler() => new(Tools(_docker, _nginx, _store), NullLogger<Reconciler>.Instance);

    /// <summary>The agent's real steps and executor over the given fakes.</summary>
    internal static DeployTools Tools(FakeContainerRuntime docker, FakeReverseProxy nginx, StateStore store)
    {
        var upstreams = new UpstreamRegistry(store);
        var sites = new NginxSiteFactory(store, NullLogger<NginxSiteFactory>.Instance);
        var runner = new Podlift.Agent.Plans.ActionRunner(new Podlift.Agent.Plans.Steps.ContainerSteps(docker), null!, null!,
            new Podlift.Agent.Plans.Steps.DependencySteps(docker, new DependencyManager(docker, TimeSpan.Zero)), null!,
            new Podlift.Agent.Plans.Steps.ProxySteps(nginx, upstreams, sites, new SwitchGate()), null!, null!, null!, null!);
        return new DeployTools(docker, nginx, store, upstreams, sites, null!, new Podlift.Agent.Plans.PlanExecutor(runner));
    }

    [Test]
    public async Task Nginx_routing_to_containers_that_died_is_rewritten_for_the_recorded_version_and_nothing_serving_is_stopped()
    {
        var v1 = Plan("aaa1111");
        var live = Container(v1, 20001, running: true, "shop-web-1");
        Record(v1, live);
        Container(Plan("bbb2222"), 20002, running: false, "shop-web-bbb2222-1"); // a killed job had switched to it; it died since
        Routes(20002);

        await Reconciler().ReconcileAllAsync(CancellationToken.None);

        Assert.That(_nginx.RoutedBackends(App), Is.EqualTo(new[] { ("127.0.0.1", 20001) }), "nginx sends traffic where something answers");
        Assert.That(live.Running, Is.True);
        Assert.That(_store.Load(App)!.Current!.Version, Is.EqualTo("aaa1111"));
    }

    [Test]
    public async Task A_version_nginx_already_routes_to_is_adopted_and_the_old_one_stopped()
    {
        var v1 = Plan("aaa1111");
        var old = Container(v1, 20001, running: true, "shop-web-1");
        Record(v1, old);
        var fresh = Container(Plan("bbb2222"), 20002, running: true, "shop-web-bbb2222-1"); // switched, then the agent was killed
        Routes(20002);

        await Reconciler().ReconcileAllAsync(CancellationToken.None);

        Assert.That(_store.Load(App)!.Current!.Version, Is.EqualTo("bbb2222"));
        Assert.That(old.Running, Is.False);
        Assert.That((fresh.Name, old.Name), Is.EqualTo(("shop-web-1", "shop-web-aaa1111-1")), "the stable name follows what serves");
        Assert.That(_nginx.Switches, Is.Empty, "nginx already ran the right config");
    }

    [Test]
    public async Task Nothing_to_do_changes_nothing()
    {
        var v1 = Plan("aaa1111");
        Record(v1, Container(v1, 20001, running: true, "shop-web-1"));
        Routes(20001);

        await Reconciler().ReconcileAllAsync(CancellationToken.None);

        Assert.That(_docker.Calls, Is.Empty);
        Assert.That(_nginx.Switches, Is.Empty);
    }
}

using System.Net;
using Podlift.Agent.Deploy;
using Podlift.Agent.Plans;
using Podlift.Agent.Proxy;
using Podlift.Protocol;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>
/// An atomic rollout on one server's agent, in memory: the job stops, ready, before anything switches; the
/// primary's go brings the other servers' new backends in with its own, in one switch, and drains the ones
/// they replace; a stop leaves the old version serving, and a non-primary without an answer stops nothing.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class AtomicRolloutJobTests
{
    private readonly AgentWorld _world = new();

    [TearDown]
    public void CleanUp() => _world.Dispose();

    private static readonly NetworkPlan OnPrimary = new() { Peers = { "10.0.0.2" } };
    private static readonly NetworkPlan OnOther = new() { AwaitsPrimary = true, AdvertisedAddress = "10.0.0.2", PrimaryAddress = "10.0.0.1", Peers = { "10.0.0.1" } };

    /// <summary>v1, deployed as the primary would (a non-primary's first deploy would wait for the CLI's hand-off).</summary>
    private async Task DeployedV1Async(NetworkPlan network)
    {
        var v1 = _world.App("aaa1111");
        if (!network.AwaitsPrimary) v1.Network = network.Clone();
        Assert.That((await _world.RunAsync(AgentWorld.Deploy(v1))).Finished().Success, Is.True);
    }

    private JobSpec AtomicV2(NetworkPlan network)
    {
        var v2 = _world.App("bbb2222");
        v2.Network = network.Clone();
        v2.Atomic = true;
        return AgentWorld.Deploy(v2);
    }

    private static List<string> Kinds(Plan plan) => plan.Actions.Select(a => a.GetType().Name).ToList();

    private async Task<Plan> PlanOfAsync(JobSpec job)
    {
        var (snapshot, _) = await _world.Tools().Snapshots.ReadAsync(job.Plan, c => JobPlanner.PortsNeeded(job, c), reserve: false, CancellationToken.None);
        return JobPlanner.For(job, snapshot);
    }

    /// <summary>Starts the job, waits until it stands at its AwaitGo, answers, and runs it to its end.</summary>
    private async Task<(IReadOnlyList<DeployEvent> Events, AwaitingSwitch Awaiting)> RunAnsweringAsync(JobSpec job, bool proceed, string reason = "",
        params ServerBackends[] others)
    {
        var events = _world.Start(job, out var run);
        while (!_world.Gate.Release(job.DeployId, proceed, reason, others)) await Task.Delay(5);
        await run;
        events.Complete();
        events.Dispose();
        var all = new List<DeployEvent>();
        await foreach (var e in events.ReadAllAsync(CancellationToken.None)) all.Add(e);
        return (all, all.Single(e => e.AwaitingSwitch is not null).AwaitingSwitch);
    }

    [Test]
    public async Task On_the_primary_nothing_switches_before_the_go()
    {
        await DeployedV1Async(OnPrimary);
        var kinds = Kinds(await PlanOfAsync(AtomicV2(OnPrimary)));

        Assert.That(kinds.IndexOf("AwaitGo"), Is.GreaterThan(kinds.LastIndexOf("CheckHealth")));
        Assert.That(kinds.IndexOf("AwaitGo"), Is.LessThan(kinds.IndexOf("SwitchProxy")));
        Assert.That(kinds.IndexOf("AwaitGo"), Is.LessThan(kinds.IndexOf("StopContainer")));
        Assert.That(kinds, Has.No.Member("AwaitPrimary"), "the go replaces the hand-off");
    }

    [Test]
    public async Task The_primarys_go_switches_every_servers_new_backends_at_once_and_drains_what_they_replace()
    {
        await DeployedV1Async(OnPrimary);
        _world.Upstreams.Replace("shop", "10.0.0.2", [new UpstreamServer("10.0.0.2", 30001, "shop-web-1")]);
        var switchesBefore = _world.Nginx.Switches.Count;

        var other = new ServerBackends { Server = "10.0.0.2", Backends = { new Backend { Address = "10.0.0.2", Port = 31001, Name = "shop-web-bbb2222-1" } } };
        var (events, awaiting) = await RunAnsweringAsync(AtomicV2(OnPrimary), true, "", other);

        Assert.That(events.Finished().Success, Is.True, events.Finished().Error);
        Assert.That(awaiting.AwaitsGo, Is.True);
        Assert.That(_world.Nginx.Switches.Count - switchesBefore, Is.EqualTo(1), "one switch for every server");
        var routed = _world.Nginx.RoutedBackends("shop")!;
        Assert.That(routed, Has.Member(("10.0.0.2", 31001)));
        Assert.That(routed, Has.No.Member(("10.0.0.2", 30001)));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "bbb2222" }));
        Assert.That(_world.Nginx.Drained[^1], Has.Member(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 30001)), "the other server's old backend drains here");
    }

    [Test]
    public async Task A_stop_at_the_primary_leaves_the_old_version_serving_and_the_upstream_untouched()
    {
        await DeployedV1Async(OnPrimary);
        _world.Upstreams.Replace("shop", "10.0.0.2", [new UpstreamServer("10.0.0.2", 30001, "shop-web-1")]);
        var routedBefore = _world.Nginx.RoutedBackends("shop");

        var (events, _) = await RunAnsweringAsync(AtomicV2(OnPrimary), false, "10.0.0.3 failed before it was ready");

        Assert.That(events.Finished().Error, Is.EqualTo("atomic rollout stopped: 10.0.0.3 failed before it was ready"));
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "aaa1111" }), "the new containers are removed");
        Assert.That(_world.Docker.Containers.Select(c => c.Name), Has.None.Contain("bbb2222"));
        Assert.That(_world.Nginx.RoutedBackends("shop"), Is.EqualTo(routedBefore));
        Assert.That(_world.Upstreams.Backends("shop").Select(b => (b.Address, b.Port)), Has.Member(("10.0.0.2", 30001)));
    }

    [Test]
    public async Task A_primary_without_an_answer_takes_its_new_containers_back()
    {
        await DeployedV1Async(OnPrimary);

        var events = await _world.RunAsync(AtomicV2(OnPrimary));

        Assert.That(events.Finished().Error, Does.StartWith("atomic rollout stopped: no word from the CLI"));
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "aaa1111" }), "nothing switched anywhere: the primary had not");
    }

    [Test]
    public async Task A_non_primary_offers_its_backends_and_stops_nothing_before_the_go()
    {
        await DeployedV1Async(OnOther);

        var (events, awaiting) = await RunAnsweringAsync(AtomicV2(OnOther), true);

        Assert.That(events.Finished().Success, Is.True, events.Finished().Error);
        Assert.That(awaiting.AwaitsGo, Is.True);
        Assert.That(awaiting.Backends.Select(b => b.Address).Distinct(), Is.EqualTo(new[] { "10.0.0.2" }));
        Assert.That(awaiting.Backends, Has.Count.EqualTo(2));
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "bbb2222" }));
    }

    [Test]
    public async Task A_non_primary_without_an_answer_keeps_old_and_new_running()
    {
        await DeployedV1Async(OnOther);

        var events = await _world.RunAsync(AtomicV2(OnOther));

        Assert.That(events.Finished().Error, Does.StartWith("atomic rollout stopped: no word from the CLI"));
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "aaa1111", "bbb2222" }), "the primary may have taken the new ones: nothing is stopped");
    }
}

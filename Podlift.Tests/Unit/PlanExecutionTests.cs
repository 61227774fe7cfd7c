using Podlift.Agent.Deploy;
using Podlift.Agent.Plans;
using Podlift.Agent.State;
using Podlift.Protocol;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>
/// Every way a deploy can end, on an in-memory server: a failure, a cancellation, or the agent killed before
/// any one of its actions; and, after a kill, what the restarted agent makes of it. Whatever happens, exactly
/// one version serves, nginx routes only to running containers of it, and state.json says which.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class PlanExecutionTests
{
    private readonly AgentWorld _world = new();

    [TearDown]
    public void CleanUp() => _world.Dispose();

    private async Task<DeployPlan> DeployedV1Async()
    {
        var v1 = _world.App("aaa1111");
        Assert.That((await _world.RunAsync(AgentWorld.Deploy(v1))).Finished().Success, Is.True);
        return v1;
    }

    private DeployPlan V2()
    {
        var v2 = _world.App("bbb2222");
        v2.Hooks = new HooksPlan { BeforeDeploy = { "check" }, AfterDeploy = { "notify" } };
        v2.Release = new ReleasePlan { Command = { "migrate" }, Service = "web" };
        return v2;
    }

    /// <summary>The actions of v2's deploy over v1, as the planner makes them for this world.</summary>
    private static IReadOnlyList<PlanAction> ActionsOfV2()
    {
        using var world = new AgentWorld();
        var v1 = world.App("aaa1111");
        world.RunAsync(AgentWorld.Deploy(v1)).GetAwaiter().GetResult();
        var v2 = world.App("bbb2222");
        v2.Hooks = new HooksPlan { BeforeDeploy = { "check" }, AfterDeploy = { "notify" } };
        v2.Release = new ReleasePlan { Command = { "migrate" }, Service = "web" };
        var job = AgentWorld.Deploy(v2);
        var (snapshot, _) = world.Tools().Snapshots.ReadAsync(v2, c => JobPlanner.PortsNeeded(job, c), reserve: false, CancellationToken.None).GetAwaiter().GetResult();
        return JobPlanner.For(job, snapshot).Actions;
    }

    private static readonly IReadOnlyList<PlanAction> Actions = ActionsOfV2();
    private static readonly int Switch = Actions.ToList().FindIndex(a => a is SwitchProxy);
    private static readonly int Recorded = Actions.ToList().FindIndex(a => a is RecordDeployment);

    private static IEnumerable<TestCaseData> EveryAction() =>
        Actions.Select((action, index) => new TestCaseData(index).SetArgDisplayNames($"{index:00} {action.GetType().Name}"));

    [Test]
    public async Task The_plan_has_what_a_deploy_does_in_the_guides_order()
    {
        await DeployedV1Async();
        var kinds = Actions.Select(a => a.GetType().Name).Distinct().ToList();

        Assert.That(kinds, Is.EqualTo(new[]
        {
            "RunHooks", "EnsureNetwork", "CreateContainer", "CheckHealth", "RunRelease", "OpenSwitchWindow", "SwitchProxy", "Drain", "StopContainer", "Say",
            "CloseSwitchWindow", "RenameContainer", "RecordDeployment",
        }));
        Assert.That(Actions[^1], Is.TypeOf<RunHooks>().And.Property("Phase").EqualTo(HookPhase.AfterDeploy));
    }

    [TestCaseSource(nameof(EveryAction))]
    public async Task A_failure_before_any_action_leaves_exactly_one_version_serving(int failAt)
    {
        await DeployedV1Async();
        _world.BeforeAction = (index, _) => index == failAt ? throw new InvalidOperationException("injected failure") : Task.CompletedTask;

        var events = await _world.RunAsync(AgentWorld.Deploy(V2()));

        var finished = events.Finished();
        Assert.That(finished.Success, Is.False);
        if (failAt <= Switch)
        {
            Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }), "the old version serves");
            Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "aaa1111" }), "everything the job started was taken back");
            Assert.That(_world.Docker.Containers.Select(c => c.Name), Has.None.Contain("bbb2222"));
            Assert.That(_world.State.Load("shop")!.Current!.Version, Is.EqualTo("aaa1111"));
            Assert.That(_world.State.Load("shop")!.History[^1].Outcome, Is.EqualTo("failed"));
            Assert.That(events.Texts(), Has.Some.Contains("Old containers still running. No downtime occurred."));
            Assert.That(_world.Docker.ByName("shop-web-1")?.Spec.Labels["podlift.version"], Is.EqualTo("aaa1111"), "the stable names stay");
        }
        else
        {
            Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "bbb2222" }), "traffic had moved: the new version serves");
            Assert.That(_world.State.Load("shop")!.Current!.Version, Is.EqualTo("bbb2222"), "state says so");
            Assert.That(finished.Error, Does.StartWith("bbb2222 is serving, but finishing failed: injected failure"));
        }
    }

    [TestCaseSource(nameof(EveryAction))]
    public async Task An_agent_stopping_before_any_action_stops_the_job_and_its_restart_finishes_what_is_left(int stopAt)
    {
        await DeployedV1Async();
        using var stop = new CancellationTokenSource();
        _world.BeforeAction = (index, _) =>
        {
            if (index == stopAt) stop.Cancel();
            return Task.CompletedTask;
        };

        var events = await _world.RunAsync(AgentWorld.Deploy(V2()), stop.Token);
        await _world.Reconciler().ReconcileAllAsync(CancellationToken.None); // the agent starts again

        Assert.That(events.Finished().Success, Is.False);
        Assert.That(_world.RoutedVersions(), Has.Count.EqualTo(1));
        Assert.That(_world.RunningVersions(), Is.EqualTo(_world.RoutedVersions()), "one version runs, the one routed");
        Assert.That(_world.State.Load("shop")!.Current!.Version, Is.EqualTo(_world.RoutedVersions()[0]));
    }

    [TestCaseSource(nameof(EveryAction))]
    public async Task An_agent_killed_before_any_action_is_made_consistent_by_the_restarted_one(int killedAt)
    {
        await DeployedV1Async();
        var killed = new TaskCompletionSource();
        _world.BeforeAction = (index, _) =>
        {
            if (index != killedAt) return Task.CompletedTask;
            killed.TrySetResult();
            return new TaskCompletionSource().Task; // the job never goes on: the process is gone
        };
        var events = _world.Start(AgentWorld.Deploy(V2()), out _);
        await killed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        events.Dispose(); // the killed process's journal handle
        _world.BeforeAction = null; // the restarted agent runs its recovery undisturbed

        await _world.Reconciler().ReconcileAllAsync(CancellationToken.None);

        var serving = killedAt > Switch ? "bbb2222" : "aaa1111";
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { serving }));
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { serving }), "what nginx does not route is stopped, or removed when the killed job started it");
        Assert.That(_world.State.Load("shop")!.Current!.Version, Is.EqualTo(serving));
        Assert.That(_world.Docker.ByName("shop-web-1")?.Spec.Labels["podlift.version"], Is.EqualTo(serving), "the live containers carry the stable names");
        Assert.That(_world.Docker.ByName("shop-web-2")?.Spec.Labels["podlift.version"], Is.EqualTo(serving));
        if (serving == "aaa1111")
            Assert.That(_world.Docker.Containers.Select(c => c.Name), Has.None.Contain("bbb2222"), "the killed job's containers are gone");
    }

    [Test]
    public async Task A_successful_deploy_switches_drains_stops_renames_and_records()
    {
        await DeployedV1Async();

        var events = await _world.RunAsync(AgentWorld.Deploy(V2()));

        Assert.That(events.Finished().Success, Is.True, events.Finished().Error);
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "bbb2222" }));
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "bbb2222" }));
        Assert.That(_world.Docker.ByName("shop-web-aaa1111-1")!.Running, Is.False, "the old version is kept, stopped, under its versioned name");
        Assert.That(_world.Hooks.Ran, Is.EqualTo(new[] { "check", "notify" }));
        var record = _world.State.Load("shop")!;
        Assert.That((record.Current!.Version, record.Previous!.Version), Is.EqualTo(("bbb2222", "aaa1111")));
        Assert.That(record.Current.Containers.Select(c => c.Name), Is.EqualTo(new[] { "shop-web-1", "shop-web-2" }));
        Assert.That(events.Where(e => e.Plan is not null), Has.Exactly(1).Items, "the plan is the job's first event");
    }

    [Test]
    public async Task Deploying_a_version_again_replaces_its_running_copy_and_its_stopped_ones()
    {
        var v1 = await DeployedV1Async();
        Assert.That((await _world.RunAsync(AgentWorld.Deploy(V2()))).Finished().Success, Is.True);

        // v1 again: its stopped containers hold the names its new ones get
        var again = await _world.RunAsync(AgentWorld.Deploy(_world.App("aaa1111")));
        var twice = await _world.RunAsync(AgentWorld.Deploy(_world.App("aaa1111")));

        Assert.That(again.Finished().Success, Is.True, again.Finished().Error);
        Assert.That(twice.Finished().Success, Is.True, twice.Finished().Error);
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(_world.Docker.Containers.Count(c => c.Spec.Labels["podlift.version"] == "aaa1111"), Is.EqualTo(2), "one container per replica, no copies left");
        Assert.That(_world.Docker.ByName("shop-web-1")!.Running, Is.True);
        _ = v1;
    }

    [Test]
    public async Task The_switch_window_has_a_receipt_of_what_nginx_served_per_version()
    {
        await DeployedV1Async();
        var v1Port = _world.Docker.ByName("shop-web-1")!.Spec.HostPort;
        _world.BeforeAction = (_, action) =>
        {
            if (action is SwitchProxy) _world.RequestLog.Served("shop", $"127.0.0.1:{v1Port}");
            if (action is Drain)
            {
                var v2Port = _world.Docker.ByName("shop-web-bbb2222-1")!.Spec.HostPort;
                _world.RequestLog.Served("shop", $"127.0.0.1:{v2Port}");
                _world.RequestLog.Served("shop", $"127.0.0.1:{v2Port}", 502, "502");
            }
            return Task.CompletedTask;
        };

        var events = await _world.RunAsync(AgentWorld.Deploy(V2()));

        var receipt = events.Finished().Receipt;
        Assert.That((receipt.Requests, receipt.ServerErrors), Is.EqualTo((3, 1)));
        Assert.That(receipt.Traffic.ToDictionary(t => t.Version, t => t.Requests), Is.EqualTo(new Dictionary<string, long> { ["bbb2222"] = 2, ["aaa1111"] = 1 }));
        Assert.That(_world.State.Load("shop")!.History[^1].Receipt!.Requests, Is.EqualTo(3), "kept in the history status shows");
        Assert.That(events.Texts(), Has.Some.StartsWith("switch window "));
    }

    [Test]
    public async Task A_failed_health_check_is_reported_with_the_containers_log_and_changes_nothing()
    {
        await DeployedV1Async();
        _world.Health.Failing.Add("bbb2222-2");

        var events = await _world.RunAsync(AgentWorld.Deploy(V2()));

        Assert.That(events.Finished().Error, Does.Contain("shop-web-bbb2222-2 failed its health check"));
        Assert.That(events.Where(e => e.HealthChecked is { Passed: false }), Has.Exactly(1).Items);
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(_world.Hooks.Ran, Is.EqualTo(new[] { "check" }), "no after hook");
    }

    [Test]
    public async Task A_failing_after_hook_leaves_the_new_version_live_and_says_so()
    {
        await DeployedV1Async();
        _world.Hooks.Failing.Add("notify");

        var finished = (await _world.RunAsync(AgentWorld.Deploy(V2()))).Finished();

        Assert.That(finished.Success, Is.False);
        Assert.That(finished.Error, Is.EqualTo("bbb2222 is live, but the after_deploy hook `notify` failed (exit 1)"));
        Assert.That(_world.State.Load("shop")!.Current!.Version, Is.EqualTo("bbb2222"));
    }

    [Test]
    public async Task A_failing_release_command_switches_nothing_and_removes_its_container()
    {
        await DeployedV1Async();
        _world.Docker.ExitOnStart["shop-release-bbb2222"] = 3;

        var finished = (await _world.RunAsync(AgentWorld.Deploy(V2()))).Finished();

        Assert.That(finished.Error, Is.EqualTo("the release command `migrate` failed (exit 3); nothing was switched"));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(_world.Docker.ByName("shop-release-bbb2222"), Is.Null);
    }

    [Test]
    public async Task A_rollback_starts_the_targets_own_containers_again_and_runs_no_release()
    {
        await DeployedV1Async();
        Assert.That((await _world.RunAsync(AgentWorld.Deploy(V2()))).Finished().Success, Is.True);
        var old = _world.Docker.ByName("shop-web-aaa1111-1")!;
        var record = _world.State.Load("shop")!;
        var (target, plan) = await RollbackPlanner.ResolveAsync(record, (await _world.Docker.ListAppContainersAsync("shop", default)).ToList(),
            new RollbackRequest { App = "shop" }, _ => Task.FromResult(true));
        var job = new JobSpec(Operation.Rollback, plan, JobSpec.NewDeployId(plan.Version), new HooksPlan { AfterRollback = { "rolled back" } }, target);

        var events = await _world.RunAsync(job);

        Assert.That(events.Finished().Success, Is.True, events.Finished().Error);
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(old.Running, Is.True);
        Assert.That(old.Name, Is.EqualTo("shop-web-1"), "the same container, started again, with the stable name back");
        Assert.That(_world.Docker.Containers.Select(c => c.Name), Has.None.Contain("release"));
        Assert.That(_world.Hooks.Ran[^1], Is.EqualTo("rolled back"));
        Assert.That(_world.State.Load("shop")!.Current!.Version, Is.EqualTo("aaa1111"));
    }

    private DeployPlan NonPrimaryV2()
    {
        var v2 = _world.App("bbb2222");
        v2.Network = new NetworkPlan { AwaitsPrimary = true, AdvertisedAddress = "10.0.0.2", PrimaryAddress = "10.0.0.1", Peers = { "10.0.0.1" } };
        return v2;
    }

    [Test]
    public async Task A_non_primary_whose_primary_refuses_the_new_containers_takes_them_back()
    {
        await DeployedV1Async();
        var job = AgentWorld.Deploy(NonPrimaryV2());
        var events = _world.Start(job, out var run);
        while (!_world.Gate.Release(job.DeployId, false, "nginx -t failed on the primary")) await Task.Delay(5);
        await run;
        events.Dispose();

        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(_world.State.Load("shop")!.History[^1].Error, Does.Contain("nginx -t failed on the primary"));
    }

    [Test]
    public async Task A_non_primary_whose_primary_never_answers_keeps_old_and_new_running()
    {
        await DeployedV1Async();

        var events = await _world.RunAsync(AgentWorld.Deploy(NonPrimaryV2()));

        Assert.That(events.Finished().Error, Does.StartWith("the primary did not take the new containers: no word from the CLI"));
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "aaa1111", "bbb2222" }), "the primary may route to either: nothing is stopped or removed");
        Assert.That(events.Texts(), Has.None.Contains("No downtime"), "podlift cannot know that here");
    }
}

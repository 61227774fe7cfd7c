using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Plans;
using Podlift.Protocol;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>
/// deploy --canary, promote and rollback during a canary, on an in-memory server: the new web containers take a share
/// of fresh clients beside the old ones; the promotion takes everyone to them, the removal takes them away; a held
/// canary is promoted or removed by the agent on what nginx logged of it.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class CanaryTests
{
    private readonly AgentWorld _world = new();

    [TearDown]
    public void CleanUp() => _world.Dispose();

    private static readonly CanaryPlan TenPercent = new() { Share = 0.1 };

    private DeployPlan Version(string version, CanaryPlan? canary = null)
    {
        var plan = _world.App(version);
        plan.Services.Add(new ServicePlan { Name = "worker", Replicas = 1 });
        plan.Canary = canary;
        return plan;
    }

    private Podlift.Agent.State.AppRecord Record => _world.State.Load("shop")!;

    private IReadOnlyList<string> Running(string service) =>
        _world.Docker.Containers.Where(c => c.Running && c.Spec.Labels.GetValueOrDefault(PodliftLabels.Service) == service)
            .Select(c => c.Spec.Labels[PodliftLabels.Version]).Distinct().Order().ToList();

    private IReadOnlyList<int> PortsOf(string version) =>
        _world.Docker.Containers.Where(c => c.Running && c.Spec.Labels[PodliftLabels.Version] == version && c.Spec.HostPort > 0).Select(c => c.Spec.HostPort).Order().ToList();

    private async Task<IReadOnlyList<DeployEvent>> CanaryAsync(CanaryPlan? canary = null)
    {
        await _world.RunAsync(AgentWorld.Deploy(Version("aaa1111")));
        return await _world.RunAsync(AgentWorld.Deploy(Version("bbb2222", canary ?? TenPercent)));
    }

    /// <summary>Every read of the log: each running web container of <paramref name="version"/> answered <paramref name="status"/> three times.</summary>
    private void Traffic(string version, int status) => _world.RequestLog.BeforeRead = app =>
    {
        foreach (var port in PortsOf(version))
            for (var i = 0; i < 3; i++) _world.RequestLog.Served(app, $"127.0.0.1:{port}", status, status.ToString());
    };

    [Test]
    public async Task A_canary_sends_its_share_of_clients_to_its_web_containers_beside_the_old_and_is_recorded_beside_current()
    {
        var events = await CanaryAsync();

        var finished = events.Finished();
        Assert.That(finished.Success, Is.True, finished.Error);
        Assert.That(finished.Canary, Is.EqualTo(new CanaryOutcome { Version = "bbb2222", Share = 0.1, Status = CanaryStatus.Serving, StandsBeside = "aaa1111" }));
        var site = _world.Nginx.Sites["shop"];
        Assert.That(site.Servers.Select(s => s.Port), Is.EqualTo(PortsOf("aaa1111")), "the site's own upstream stays the old version's");
        Assert.That(site.Canary!.Version, Is.EqualTo("bbb2222"));
        Assert.That(site.Canary.Share, Is.EqualTo(0.1));
        Assert.That(site.Canary.Servers.Select(s => s.Port), Is.EqualTo(PortsOf("bbb2222")));
        Assert.That(Running("web"), Is.EqualTo(new[] { "aaa1111", "bbb2222" }));
        Assert.That(Running("worker"), Is.EqualTo(new[] { "aaa1111" }), "only the routed service starts with a canary");
        Assert.That(Record.Current!.Version, Is.EqualTo("aaa1111"));
        Assert.That(Record.Canary!.Deployment.Version, Is.EqualTo("bbb2222"));
        Assert.That(Record.History.Last().Outcome, Is.EqualTo("canary"));
        Assert.That(_world.Upstreams.Canary("shop"), Is.Not.Null, "every later rewrite of the site (ssl setup) keeps the split");
    }

    [Test]
    public async Task Promoting_switches_everyone_to_the_canary_starts_its_waiting_services_and_stops_the_old()
    {
        await CanaryAsync();
        var canaryWeb = _world.Docker.Containers.Where(c => c.Running && c.Spec.Labels[PodliftLabels.Version] == "bbb2222").Select(c => c.Id).ToList();

        var events = await _world.RunAsync(CanaryJobs.Promote(Record, new PromoteRequest { App = "shop" }));

        var finished = events.Finished();
        Assert.That(finished.Success, Is.True, finished.Error);
        Assert.That((finished.Version, finished.PreviousVersion), Is.EqualTo(("bbb2222", "aaa1111")));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "bbb2222" }));
        Assert.That(_world.Nginx.Sites["shop"].Canary, Is.Null);
        Assert.That(_world.Upstreams.Canary("shop"), Is.Null);
        Assert.That(Running("web"), Is.EqualTo(new[] { "bbb2222" }));
        Assert.That(Running("worker"), Is.EqualTo(new[] { "bbb2222" }), "the worker changes at the promotion");
        Assert.That(_world.Docker.Containers.Where(c => c.Running && c.Spec.Labels[PodliftLabels.Service] == "web").Select(c => c.Id), Is.EquivalentTo(canaryWeb),
            "the canary's own web containers take everyone: none is started again");
        Assert.That((Record.Current!.Version, Record.Previous!.Version, Record.Canary), Is.EqualTo(("bbb2222", "aaa1111", (Podlift.Agent.State.CanaryRecord?)null)));
        Assert.That(Record.History.Select(h => (h.Version, h.Operation, h.Outcome)).TakeLast(2),
            Is.EqualTo(new[] { ("bbb2222", "deploy", "succeeded (promoted)"), ("bbb2222", "promote", "succeeded") }));
        Assert.That(_world.Nginx.Drained.Last().Select(e => e.Port), Is.EquivalentTo(PortsOfStopped("aaa1111", "web")), "the old web containers drained before they stopped");
    }

    [Test]
    public async Task A_rollback_during_a_canary_removes_it_after_draining_and_leaves_the_current_version_as_it_was()
    {
        await CanaryAsync();
        var canaryPorts = PortsOf("bbb2222");

        var events = await _world.RunAsync(CanaryJobs.Remove(Record, new RollbackRequest { App = "shop" }, "removed by `podlift rollback` (tester)"));

        var finished = events.Finished();
        Assert.That(finished.Success, Is.True, finished.Error);
        Assert.That((finished.Version, finished.PreviousVersion), Is.EqualTo(("aaa1111", "bbb2222")));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(_world.Nginx.Sites["shop"].Canary, Is.Null);
        Assert.That(_world.Docker.Containers.Where(c => c.Spec.Labels[PodliftLabels.Version] == "bbb2222"), Is.Empty, "a removed canary's containers go");
        Assert.That(_world.Nginx.Drained.Last().Select(e => e.Port), Is.EquivalentTo(canaryPorts));
        Assert.That(Running("worker"), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That((Record.Current!.Version, Record.Canary), Is.EqualTo(("aaa1111", (Podlift.Agent.State.CanaryRecord?)null)));
        Assert.That(Record.History.Select(h => (h.Version, h.Operation, h.Outcome, h.Error)).TakeLast(2), Is.EqualTo(new[]
        {
            ("bbb2222", "deploy", "aborted", (string?)"removed by `podlift rollback` (tester)"), ("aaa1111", "abort", "succeeded", null),
        }));
    }

    [Test]
    public async Task A_deploy_while_a_canary_serves_is_refused_and_changes_nothing()
    {
        await CanaryAsync();
        var before = _world.Docker.Containers.Select(c => (c.Id, c.Running)).ToList();

        var finished = (await _world.RunAsync(AgentWorld.Deploy(Version("ccc3333")))).Finished();

        Assert.That(finished.Success, Is.False);
        Assert.That(finished.Error, Does.Contain("a canary of bbb2222 serves 10% of fresh clients"));
        Assert.That(_world.Docker.Containers.Select(c => (c.Id, c.Running)), Is.EqualTo(before));
        Assert.That(_world.Nginx.Sites["shop"].Canary!.Version, Is.EqualTo("bbb2222"));
    }

    [Test]
    public async Task A_first_deploy_cannot_be_a_canary_there_is_nothing_to_stand_beside()
    {
        var finished = (await _world.RunAsync(AgentWorld.Deploy(Version("aaa1111", TenPercent)))).Finished();

        Assert.That(finished.Success, Is.False);
        Assert.That(finished.Error, Does.Contain("a canary needs a version serving beside it"));
        Assert.That(_world.Docker.Containers, Is.Empty);
    }

    [Test]
    public async Task A_held_canary_above_the_error_rate_is_removed_by_the_agent()
    {
        Traffic("bbb2222", 500);

        var events = await CanaryAsync(new CanaryPlan { Share = 0.2, HoldMilliseconds = 300, MaxErrorRate = 0.05, MinRequests = 5 });

        var finished = events.Finished();
        Assert.That(finished.Success, Is.False);
        Assert.That(finished.Canary.Status, Is.EqualTo(CanaryStatus.Aborted));
        Assert.That(finished.Canary.Watched.Passed, Is.False);
        Assert.That(finished.Error, Does.StartWith("the canary failed its hold: ").And.EndWith("every client is on aaa1111 again"));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(_world.Nginx.Sites["shop"].Canary, Is.Null);
        Assert.That(_world.Docker.Containers.Where(c => c.Spec.Labels[PodliftLabels.Version] == "bbb2222"), Is.Empty);
        Assert.That(Record.History.Single(h => h.Version == "bbb2222").Outcome, Is.EqualTo("aborted"));
        Assert.That(events.Where(e => e.StepStarted is not null).Select(e => e.Operation).Last(), Is.EqualTo(Operation.Abort));
    }

    [Test]
    public async Task A_held_canary_that_stays_healthy_is_promoted_by_the_agent()
    {
        Traffic("bbb2222", 200);

        var finished = (await CanaryAsync(new CanaryPlan { Share = 0.2, HoldMilliseconds = 300, MaxErrorRate = 0.05, MinRequests = 5 })).Finished();

        Assert.That(finished.Success, Is.True, finished.Error);
        Assert.That(finished.Canary.Status, Is.EqualTo(CanaryStatus.Promoted));
        Assert.That(finished.Canary.Watched.Requests, Is.GreaterThanOrEqualTo(5));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "bbb2222" }));
        Assert.That(Running("worker"), Is.EqualTo(new[] { "bbb2222" }));
        Assert.That((Record.Current!.Version, Record.Canary), Is.EqualTo(("bbb2222", (Podlift.Agent.State.CanaryRecord?)null)));
    }

    [Test]
    public async Task A_held_canary_with_too_few_requests_to_judge_keeps_serving_as_it_is()
    {
        var finished = (await CanaryAsync(new CanaryPlan { Share = 0.2, HoldMilliseconds = 100, MaxErrorRate = 0.05, MinRequests = 5 })).Finished();

        Assert.That(finished.Success, Is.True, finished.Error);
        Assert.That(finished.Canary.Status, Is.EqualTo(CanaryStatus.Serving));
        Assert.That(finished.Canary.Watched.Detail, Does.StartWith("too few requests to judge"));
        Assert.That(_world.Nginx.Sites["shop"].Canary!.Version, Is.EqualTo("bbb2222"));
    }

    [Test]
    public async Task A_failure_after_the_split_before_it_is_recorded_takes_the_split_and_the_canary_back()
    {
        await _world.RunAsync(AgentWorld.Deploy(Version("aaa1111")));
        _world.BeforeAction = (_, action) => action is RecordCanary ? throw new IOException("disk full") : Task.CompletedTask;

        var finished = (await _world.RunAsync(AgentWorld.Deploy(Version("bbb2222", TenPercent)))).Finished();

        Assert.That(finished.Success, Is.False);
        Assert.That(_world.Nginx.Sites["shop"].Canary, Is.Null, "the split is taken back");
        Assert.That(_world.Upstreams.Canary("shop"), Is.Null);
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(_world.Docker.Containers.Where(c => c.Spec.Labels[PodliftLabels.Version] == "bbb2222"), Is.Empty);
        Assert.That(Record.Canary, Is.Null);
    }

    [Test]
    public async Task A_restarted_agent_keeps_a_canary_whose_containers_run()
    {
        await CanaryAsync();

        await _world.Reconciler().ReconcileAllAsync(CancellationToken.None);

        Assert.That(Running("web"), Is.EqualTo(new[] { "aaa1111", "bbb2222" }), "the canary's containers are not stray");
        Assert.That(Record.Canary!.Deployment.Version, Is.EqualTo("bbb2222"));
        Assert.That(Record.Current!.Version, Is.EqualTo("aaa1111"), "the canary is not adopted as current");
    }

    [Test]
    public async Task A_restarted_agent_removes_a_canary_whose_containers_are_gone_and_routes_everyone_to_current()
    {
        await CanaryAsync();
        foreach (var container in _world.Docker.Containers.Where(c => c.Spec.Labels[PodliftLabels.Version] == "bbb2222")) container.Running = false;

        await _world.Reconciler().ReconcileAllAsync(CancellationToken.None);

        Assert.That(_world.Nginx.Sites["shop"].Canary, Is.Null);
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(Record.Canary, Is.Null);
        Assert.That(Record.History.Single(h => h.Version == "bbb2222").Outcome, Is.EqualTo("aborted"));
    }

    /// <summary>A canary deploy whose agent dies while it watches the hold: the job never goes past the watch, as a killed agent's does not.</summary>
    private async Task HoldCutShortAsync(CanaryPlan canary)
    {
        await _world.RunAsync(AgentWorld.Deploy(Version("aaa1111")));
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _world.BeforeAction = (_, action) =>
        {
            if (action is not WatchCanary) return Task.CompletedTask;
            watching.TrySetResult();
            return Task.Delay(Timeout.Infinite);
        };
        _world.Start(AgentWorld.Deploy(Version("bbb2222", canary)), out _);
        await watching.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _world.BeforeAction = null;
        await _world.Reconciler().ReconcileAllAsync(CancellationToken.None);
    }

    private static readonly CanaryPlan HeldFor300Ms = new() { Share = 0.2, HoldMilliseconds = 300, MaxErrorRate = 0.05, MinRequests = 5 };

    [Test]
    public async Task A_hold_cut_short_by_an_agent_restart_is_resumed_and_promotes_a_healthy_canary()
    {
        await HoldCutShortAsync(HeldFor300Ms);
        Traffic("bbb2222", 200);

        var resumed = CanaryJobs.ResumeHold(Record, DateTimeOffset.UtcNow);
        Assert.That(resumed, Is.Not.Null, "the recorded canary's hold has no verdict yet");
        var events = await _world.RunAsync(resumed!);

        var finished = events.Finished();
        Assert.That(finished.Success, Is.True, finished.Error);
        Assert.That(finished.Canary.Status, Is.EqualTo(CanaryStatus.Promoted));
        Assert.That(events.Texts(), Has.Some.StartsWith("The agent restarted during the canary's hold"));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "bbb2222" }));
        Assert.That(Running("worker"), Is.EqualTo(new[] { "bbb2222" }), "the services that waited start with the promotion");
        Assert.That((Record.Current!.Version, Record.Canary), Is.EqualTo(("bbb2222", (Podlift.Agent.State.CanaryRecord?)null)));
    }

    /// <summary>nginx served on while the agent was down: the resumed hold counts from where the hold began, not from the restart.</summary>
    [Test]
    public async Task A_resumed_hold_counts_what_nginx_logged_while_the_agent_was_down_and_removes_a_failing_canary()
    {
        await HoldCutShortAsync(HeldFor300Ms);
        foreach (var port in PortsOf("bbb2222"))
            for (var i = 0; i < 5; i++) _world.RequestLog.Served("shop", $"127.0.0.1:{port}", 500, "500");
        await Task.Delay(400); // the hold's time ran out while the agent was down: it is judged at once

        var finished = (await _world.RunAsync(CanaryJobs.ResumeHold(Record, DateTimeOffset.UtcNow)!)).Finished();

        Assert.That(finished.Canary.Status, Is.EqualTo(CanaryStatus.Aborted), finished.Error);
        Assert.That(finished.Error, Does.StartWith("the canary failed its hold: "));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(Record.Canary, Is.Null);
    }

    /// <summary>A hold that ended with too few requests is over: a restart long after must not judge the canary on the traffic since and promote it.</summary>
    [Test]
    public async Task A_hold_that_ended_without_a_verdict_is_not_resumed()
    {
        await CanaryAsync(new CanaryPlan { Share = 0.2, HoldMilliseconds = 100, MaxErrorRate = 0.05, MinRequests = 5 });

        Assert.That(Record.Canary!.HoldUntil, Is.Null, "the canary now waits for promote or rollback");
        Assert.That(CanaryJobs.ResumeHold(Record, DateTimeOffset.UtcNow), Is.Null);
    }

    [Test]
    public async Task A_canary_without_a_hold_is_not_resumed()
    {
        await CanaryAsync();

        Assert.That(CanaryJobs.ResumeHold(Record, DateTimeOffset.UtcNow), Is.Null);
    }

    [Test]
    public void A_rollback_to_another_version_during_a_canary_is_refused_naming_the_way()
    {
        var record = new Podlift.Agent.State.AppRecord
        {
            App = "shop",
            Current = new Podlift.Agent.State.DeploymentRecord { Version = "aaa1111", Image = "shop:aaa1111", DeployId = "1", DeployedAt = DateTimeOffset.UtcNow, PlanJson = "{}" },
            Canary = new Podlift.Agent.State.CanaryRecord(
                new Podlift.Agent.State.DeploymentRecord { Version = "bbb2222", Image = "shop:bbb2222", DeployId = "2", DeployedAt = DateTimeOffset.UtcNow }, 0.1, null),
        };

        var refused = Assert.Throws<RollbackRefused>(() => CanaryJobs.Remove(record, new RollbackRequest { App = "shop", To = "0ld0000" }, ""));

        Assert.That(refused!.Message, Does.Contain("`podlift rollback` without --to removes it"));
    }

    private IReadOnlyList<int> PortsOfStopped(string version, string service) =>
        _world.Docker.Containers.Where(c => !c.Running && c.Spec.Labels[PodliftLabels.Version] == version && c.Spec.Labels[PodliftLabels.Service] == service)
            .Select(c => c.Spec.HostPort).ToList();
}

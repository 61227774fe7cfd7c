using Podlift.Agent.Deploy;
using Podlift.Agent.Proxy;
using Podlift.Protocol;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>
/// verify: on an in-memory server. After the switch the agent reads what nginx logged of the new version's
/// backends; above the error rate it rolls back by itself to the version before and records why.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class VerifyTests
{
    private readonly AgentWorld _world = new();

    [TearDown]
    public void CleanUp() => _world.Dispose();

    private static readonly VerifyPlan Watch = new() { WindowMilliseconds = 300, MaxErrorRate = 0.05, MinRequests = 10 };

    private DeployPlan Version(string version, VerifyPlan? verify = null)
    {
        var plan = _world.App(version);
        plan.Verify = verify;
        return plan;
    }

    /// <summary>On every read of the log, <paramref name="requests"/> more requests to each running container of <paramref name="version"/>.</summary>
    private void Traffic(string version, int status, int requests = 3) => _world.RequestLog.BeforeRead = app =>
    {
        foreach (var container in _world.Docker.Containers.Where(c => c.Running && c.Spec.Labels[Podlift.Agent.Docker.PodliftLabels.Version] == version))
            for (var i = 0; i < requests; i++)
                _world.RequestLog.Served(app, $"127.0.0.1:{container.Spec.HostPort}", status, status.ToString());
    };

    [Test]
    public async Task A_healthy_new_version_passes_and_stays()
    {
        await _world.RunAsync(AgentWorld.Deploy(Version("aaa1111")));
        Traffic("bbb2222", 200);

        var events = await _world.RunAsync(AgentWorld.Deploy(Version("bbb2222", Watch)));

        var finished = events.Finished();
        Assert.That(finished.Success, Is.True, finished.Error);
        Assert.That(finished.Verified.Passed, Is.True);
        Assert.That(finished.Verified.Requests, Is.GreaterThanOrEqualTo(10));
        Assert.That(finished.Verified.Errors, Is.Zero);
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "bbb2222" }));
        Assert.That(events.Texts(), Has.Some.StartsWith("Verified over"));
    }

    [Test]
    public async Task A_new_version_that_fails_is_rolled_back_by_the_agent_and_recorded_as_reverted()
    {
        await _world.RunAsync(AgentWorld.Deploy(Version("aaa1111")));
        Traffic("bbb2222", 500);

        var events = await _world.RunAsync(AgentWorld.Deploy(Version("bbb2222", Watch)));

        var finished = events.Finished();
        Assert.That(finished.Success, Is.False);
        Assert.That(finished.RevertedTo, Is.EqualTo("aaa1111"));
        Assert.That(finished.Error, Does.StartWith("verification failed: ").And.Contain("above the 5% allowed").And.EndWith("aaa1111 serves again"));
        Assert.That(finished.Verified.Passed, Is.False);
        Assert.That(finished.Verified.WindowMilliseconds, Is.LessThan(Watch.WindowMilliseconds), "it stops watching once the rate is above the limit");
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "aaa1111" }));
        var record = _world.State.Load("shop")!;
        Assert.That(record.Current!.Version, Is.EqualTo("aaa1111"));
        Assert.That(record.History.Select(h => (h.Version, h.Operation, h.Outcome)), Is.EqualTo(new[]
        {
            ("aaa1111", "deploy", "succeeded"), ("bbb2222", "deploy", "reverted"), ("aaa1111", "rollback", "succeeded"),
        }));
        Assert.That(events.Where(e => e.StepStarted is not null).Select(e => e.Operation).Last(), Is.EqualTo(Operation.Rollback), "the revert's steps are a rollback's");
        Assert.That(events.Where(e => e.Message?.Level == EventLevel.Warning).Select(e => e.Message.Text),
            Has.Some.Match("^Verification failed: .*; rolling back to aaa1111$"), "said as it happens, before the rollback's steps");
    }

    [Test]
    public async Task While_the_new_version_is_watched_the_old_web_containers_stay_up_out_of_rotation_and_the_old_worker_is_stopped()
    {
        await _world.RunAsync(AgentWorld.Deploy(WithWorker(Version("aaa1111"))));
        var during = new List<(IReadOnlyList<string> Running, IReadOnlyList<string> Routed, IReadOnlyList<string> Workers)>();
        Traffic("bbb2222", 200);
        var traffic = _world.RequestLog.BeforeRead!;
        _world.RequestLog.BeforeRead = app =>
        {
            during.Add((_world.RunningVersions(), _world.RoutedVersions(), RunningVersionsOf("worker")));
            traffic(app);
        };

        var events = await _world.RunAsync(AgentWorld.Deploy(WithWorker(Version("bbb2222", Watch))));

        Assert.That(events.Finished().Success, Is.True, events.Finished().Error);
        Assert.That(during, Is.Not.Empty);
        Assert.That(during.Select(d => d.Running), Has.All.EqualTo(new[] { "aaa1111", "bbb2222" }), "the old web containers wait, running, for the verdict");
        Assert.That(during.Select(d => d.Routed), Has.All.EqualTo(new[] { "bbb2222" }), "but get no traffic");
        Assert.That(during.Select(d => d.Workers), Has.All.EqualTo(new[] { "bbb2222" }), "one version's workers at a time, as without verify");
        Assert.That(_world.RunningVersions(), Is.EqualTo(new[] { "bbb2222" }), "stopped once the new version passed");
    }

    [Test]
    public async Task A_revert_routes_back_to_the_old_web_containers_that_kept_running_without_starting_them_again()
    {
        await _world.RunAsync(AgentWorld.Deploy(Version("aaa1111")));
        var oldWeb = _world.Docker.Containers.Where(c => c.Running).Select(c => c.Name).ToList();
        Traffic("bbb2222", 500);
        _world.Docker.Calls.Clear();

        var events = await _world.RunAsync(AgentWorld.Deploy(Version("bbb2222", Watch)));

        Assert.That(events.Finished().RevertedTo, Is.EqualTo("aaa1111"), events.Finished().Error);
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }));
        Assert.That(_world.Docker.Calls.Where(c => c.StartsWith("start ", StringComparison.Ordinal)), Is.Empty,
            "the old web containers never stopped: " + string.Join(", ", _world.Docker.Calls));
        Assert.That(_world.Docker.Containers.Where(c => c.Running).Select(c => c.Id),
            Is.EquivalentTo(_world.Docker.Containers.Where(c => c.Running && c.Spec.Labels[Podlift.Agent.Docker.PodliftLabels.Version] == "aaa1111").Select(c => c.Id)));
        Assert.That(oldWeb, Is.Not.Empty);
    }

    private static DeployPlan WithWorker(DeployPlan plan)
    {
        plan.Services.Add(new ServicePlan { Name = "worker", Replicas = 1 });
        return plan;
    }

    private IReadOnlyList<string> RunningVersionsOf(string service) =>
        _world.Docker.Containers.Where(c => c.Running && c.Spec.Labels.GetValueOrDefault(Podlift.Agent.Docker.PodliftLabels.Service) == service)
            .Select(c => c.Spec.Labels[Podlift.Agent.Docker.PodliftLabels.Version]).Distinct().Order().ToList();

    [Test]
    public async Task Too_few_requests_to_judge_leave_the_new_version_serving()
    {
        await _world.RunAsync(AgentWorld.Deploy(Version("aaa1111")));

        var events = await _world.RunAsync(AgentWorld.Deploy(Version("bbb2222", Watch)));

        var finished = events.Finished();
        Assert.That(finished.Success, Is.True, finished.Error);
        Assert.That(finished.Verified.Detail, Is.EqualTo("too few requests to judge (0 of the 10 needed)"));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "bbb2222" }));
    }

    [Test]
    public async Task A_first_deploy_that_fails_its_verification_has_nothing_to_return_to_and_says_so()
    {
        Traffic("aaa1111", 502);

        var events = await _world.RunAsync(AgentWorld.Deploy(Version("aaa1111", Watch)));

        var finished = events.Finished();
        Assert.That(finished.Success, Is.False);
        Assert.That(finished.RevertedTo, Is.Empty);
        Assert.That(finished.Error, Does.Contain("there is no version before it to return to"));
        Assert.That(_world.RoutedVersions(), Is.EqualTo(new[] { "aaa1111" }), "it keeps serving: there is nothing else");
    }

    [TestCase(200, "", 0)]
    [TestCase(500, "", 1)]
    [TestCase(200, "10.0.0.9:1,", 1)]
    public void The_tally_counts_answers_and_failed_attempts_of_the_new_backends(int status, string failedBefore, int errors)
    {
        var upstreams = failedBefore.Length > 0 ? new[] { "127.0.0.1:20001", "10.0.0.9:1" } : new[] { "10.0.0.9:1" };
        var entry = new RequestLogEntry(0, status, upstreams, upstreams.Select(_ => status.ToString()).ToList());

        var tally = VerifyTally.None.Add([entry], address => address == (failedBefore.Length > 0 ? "127.0.0.1:20001" : "10.0.0.9:1"));

        Assert.That(tally.Errors, Is.EqualTo(errors));
        Assert.That(tally.Requests, Is.EqualTo(1));
    }
}

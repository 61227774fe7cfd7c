using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class RollbackPlannerTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private const string V1 = "aaaa111";
    private const string V2 = "bbbb222";
    private const string V3 = "cccc333";

    private static DeployPlan Plan(string version, string image = "myapp")
    {
        var plan = new DeployPlan
        {
            App = "myapp", Version = version, Image = $"{image}:{version}", DeployedBy = "alice", CommitMessage = $"commit {version}",
            DrainMilliseconds = 30_000,
        };
        plan.Services.Add(new ServicePlan { Name = "web", Replicas = 2, ContainerPort = 8000, Routed = true, Healthcheck = new HealthCheckPlan { Path = "/up" } });
        plan.Services.Add(new ServicePlan { Name = "worker", Replicas = 1 });
        return plan;
    }

    private static DeploymentRecord Deployment(string version, string image = "myapp") =>
        new DeploymentRecord { Version = version, Image = "", DeployId = $"d-{version}", DeployedAt = At }.WithPlan(Plan(version, image));

    private static AppRecord Deployed(params string[] versions) =>
        versions.Aggregate(new AppRecord { App = "myapp" }, (record, version) =>
            record.WithSuccess(Deployment(version), new HistoryEntry($"d-{version}", version, At, 1_000, "success", "alice", "", null)));

    private static AppContainer Container(string version, string service, int replica, string state = "exited") =>
        new($"id-{version}-{service}-{replica}", ContainerNames.For("myapp", service, version, replica), "myapp", service, version, replica, state,
            service == "web" ? 20000 + replica : 0, At, "alice", "none", null, $"d-{version}");

    /// <summary>Every container of the version, as the plan above runs it.</summary>
    private static AppContainer[] AllContainers(string version, string state = "exited") =>
        [Container(version, "web", 1, state), Container(version, "web", 2, state), Container(version, "worker", 1, state)];

    private static RollbackRequest Request(string to = "") => new() { App = "myapp", To = to };

    private static Func<string, Task<bool>> Images(params string[] present) => image => Task.FromResult(present.Contains(image));

    private static readonly Func<string, Task<bool>> ImageLookupNotExpected =
        image => throw new AssertionException($"the image {image} was looked up though no container has to be recreated");

    private static async Task<RollbackRefused> Refused(AppRecord? record, AppContainer[] containers, RollbackRequest request,
        Func<string, Task<bool>>? images = null)
    {
        try
        {
            await RollbackPlanner.ResolveAsync(record, containers, request, images ?? Images());
        }
        catch (RollbackRefused refused)
        {
            return refused;
        }
        throw new AssertionException("the rollback was not refused");
    }

    [Test]
    public async Task Without_to_the_target_is_the_previous_deployment()
    {
        var (target, plan) = await RollbackPlanner.ResolveAsync(Deployed(V1, V2, V3), [.. AllContainers(V2), .. AllContainers(V3, "running")],
            Request(), ImageLookupNotExpected);

        Assert.That(target.Version, Is.EqualTo(V2));
        Assert.That((plan.Version, plan.Image, plan.CommitMessage), Is.EqualTo((V2, "myapp:bbbb222", "commit bbbb222")));
    }

    [TestCase("aaaa111")]
    [TestCase("aaaa")]
    [TestCase("aaaa1112fe0d")]
    public async Task To_finds_the_deployment_by_version_or_prefix(string to)
    {
        var (target, plan) = await RollbackPlanner.ResolveAsync(Deployed(V1, V2, V3), AllContainers(V1), Request(to), ImageLookupNotExpected);

        Assert.That(target.Version, Is.EqualTo(V1));
        Assert.That(plan.Version, Is.EqualTo(V1));
    }

    [TestCase("cccc333")]
    [TestCase("cccc")]
    public async Task The_current_version_is_refused(string to)
    {
        var refused = await Refused(Deployed(V1, V2, V3), AllContainers(V3, "running"), Request(to));

        Assert.That(refused.Message, Is.EqualTo("cccc333 is already the current version of myapp"));
    }

    [Test]
    public async Task An_unknown_version_is_refused()
    {
        var refused = await Refused(Deployed(V1, V2, V3), AllContainers(V3, "running"), Request("dddd444"));

        Assert.That(refused.Message, Does.StartWith("version dddd444 of myapp is not on this server"));
    }

    [Test]
    public async Task Nothing_deployed_is_refused()
    {
        var noRecord = await Refused(null, [], Request());
        var noCurrent = await Refused(new AppRecord { App = "myapp" }, [], Request(V1));

        Assert.That(noRecord.Message, Is.EqualTo("myapp has not been deployed on this server"));
        Assert.That(noCurrent.Message, Is.EqualTo("myapp has not been deployed on this server"));
    }

    [Test]
    public async Task A_single_deployment_has_nothing_to_roll_back_to()
    {
        var refused = await Refused(Deployed(V1), AllContainers(V1, "running"), Request());

        Assert.That(refused.Message, Does.StartWith("there is no earlier deployment of myapp"));
    }

    [Test]
    public async Task A_target_whose_containers_and_image_are_gone_is_refused()
    {
        var asked = new List<string>();
        Func<string, Task<bool>> noImage = image => { asked.Add(image); return Task.FromResult(false); };

        var refused = await Refused(Deployed(V1, V2, V3), AllContainers(V3, "running"), Request(), noImage);

        Assert.That(asked, Is.EqualTo(new[] { "myapp:bbbb222" }));
        Assert.That(refused.Message, Does.StartWith("cannot roll back to bbbb222: its image myapp:bbbb222 is gone"));
        Assert.That(refused.Message, Does.Contain("myapp-web-bbbb222-1, myapp-web-bbbb222-2, myapp-worker-bbbb222-1 would have to be recreated"));
    }

    [Test]
    public async Task A_target_with_one_container_gone_and_no_image_names_only_that_container()
    {
        AppContainer[] containers = [Container(V2, "web", 1), Container(V2, "worker", 1), .. AllContainers(V3, "running")];

        var refused = await Refused(Deployed(V1, V2, V3), containers, Request());

        Assert.That(refused.Message, Does.Contain("its image myapp:bbbb222 is gone from this server and myapp-web-bbbb222-2 would have to be recreated"));
    }

    [Test]
    public async Task A_target_whose_containers_are_gone_is_accepted_while_its_image_is_there()
    {
        var (target, plan) = await RollbackPlanner.ResolveAsync(Deployed(V1, V2, V3), AllContainers(V3, "running"), Request(), Images("myapp:bbbb222"));

        Assert.That(target.Version, Is.EqualTo(V2));
        Assert.That(plan.Image, Is.EqualTo("myapp:bbbb222"));
    }

    [TestCase(true, 5_000, "bob", true, 5_000, "bob")]
    [TestCase(false, 0, "", false, 30_000, "alice")]
    public async Task The_plan_takes_skip_healthcheck_drain_and_requester_from_the_request(
        bool skipHealthcheck, long drain, string requestedBy, bool expectedSkip, long expectedDrain, string expectedBy)
    {
        var request = new RollbackRequest { App = "myapp", SkipHealthcheck = skipHealthcheck, DrainMilliseconds = drain, RequestedBy = requestedBy };

        var (_, plan) = await RollbackPlanner.ResolveAsync(Deployed(V1, V2, V3), AllContainers(V2), request, ImageLookupNotExpected);

        Assert.That((plan.SkipHealthcheck, plan.DrainMilliseconds, plan.DeployedBy), Is.EqualTo((expectedSkip, expectedDrain, expectedBy)));
    }

    [Test]
    public async Task A_target_known_only_from_container_labels_gets_the_current_plan_for_its_version()
    {
        // V1 fell out of the record, but its containers are still on the server
        var record = Deployed(V2, V3);

        var (target, plan) = await RollbackPlanner.ResolveAsync(record, [.. AllContainers(V1), .. AllContainers(V3, "running")], Request("aaaa"),
            ImageLookupNotExpected);

        var current = Plan(V3);
        Assert.That(target.Version, Is.EqualTo(V1));
        Assert.That(target.Containers.Select(c => c.Name), Is.EquivalentTo(AllContainers(V1).Select(c => c.Name)));
        Assert.That((plan.Version, plan.Image), Is.EqualTo((V1, "myapp:aaaa111")));
        Assert.That(plan.Services, Is.EqualTo(current.Services));
        Assert.That(plan.DrainMilliseconds, Is.EqualTo(current.DrainMilliseconds));
    }

    [Test]
    public async Task A_target_known_only_from_labels_keeps_a_registry_port_in_the_image_name()
    {
        const string image = "registry.example.com:5000/team/myapp";
        var record = Deployed(V2, V3).WithSuccess(Deployment("dddd444", image), new HistoryEntry("d-4", "dddd444", At, 1, "success", "alice", "", null));

        var (_, plan) = await RollbackPlanner.ResolveAsync(record, AllContainers(V1), Request(V1), Images($"{image}:{V1}"));

        Assert.That(plan.Image, Is.EqualTo($"{image}:{V1}"));
    }

    [Test]
    public async Task Without_any_recorded_plan_a_label_only_target_is_refused()
    {
        // state.json was lost and rebuilt from labels: no deployment has a plan
        var rebuilt = StateRebuilder.FromContainers("myapp", [.. AllContainers(V2), .. AllContainers(V3, "running")]);

        var refused = await Refused(rebuilt, AllContainers(V2), Request());

        Assert.That(refused.Message, Does.StartWith("no deploy plan is recorded for bbbb222"));
    }
}

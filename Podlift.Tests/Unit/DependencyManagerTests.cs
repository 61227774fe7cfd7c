using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Protocol;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class DependencyManagerTests
{
    private readonly FakeContainerRuntime _docker = new();
    private readonly DeployProgress _progress = new(new JobEvents("d-1", Operation.Deploy, null));

    private static DeployPlan Plan(string image = "postgres:16", string env = "v1")
    {
        var plan = new DeployPlan { App = "shop", Version = "abc1234", Image = "shop:abc1234" };
        plan.Dependencies.Add(new DependencyPlan { Name = "postgres", Image = image, Port = 5432, Volume = "shop_pg:/var/lib/postgresql/data", Env = { ["SETTING"] = env } });
        return plan;
    }

    private FakeContainerRuntime.Container Running(DeployPlan plan) =>
        _docker.Add(ContainerSpecs.ForDependency("shop", plan.Dependencies[0], "0.0.0.0"));

    [SetUp]
    public void Images()
    {
        _docker.Images.UnionWith(["postgres:16", "postgres:17"]);
    }

    [Test]
    public async Task An_unchanged_dependency_is_left_running()
    {
        var old = Running(Plan());

        var replaced = await new DependencyManager(_docker).EnsureAsync(Plan(), "0.0.0.0", _progress, CancellationToken.None);

        Assert.That(replaced, Is.Empty);
        Assert.That(_docker.Calls, Is.Empty, "not touched");
        Assert.That(old.Running, Is.True);
    }

    [Test]
    public async Task A_changed_dependency_is_recreated_and_its_old_container_kept_until_the_deploy_is_done()
    {
        var old = Running(Plan());
        var manager = new DependencyManager(_docker);

        var replaced = await manager.EnsureAsync(Plan("postgres:17"), "0.0.0.0", _progress, CancellationToken.None);

        Assert.That(replaced.Single().OldId, Is.EqualTo(old.Id));
        Assert.That(old.Running, Is.False, "stopped: its port and volume are the new one's");
        Assert.That(old.Name, Is.EqualTo("shop-postgres-previous"));
        Assert.That(_docker.ByName("shop-postgres")!.Spec.Image, Is.EqualTo("postgres:17"));

        await manager.RetireAsync(replaced, CancellationToken.None);
        Assert.That(_docker.Containers.Select(c => c.Name), Is.EqualTo(new[] { "shop-postgres" }));
    }

    [Test]
    public async Task A_deploy_that_fails_later_gets_the_old_dependency_back()
    {
        var old = Running(Plan());
        var manager = new DependencyManager(_docker);
        var replaced = await manager.EnsureAsync(Plan("postgres:17"), "0.0.0.0", _progress, CancellationToken.None);

        await manager.RestoreAsync(replaced, _progress);

        Assert.That(_docker.Containers, Is.EqualTo(new[] { old }), "the recreated one is gone");
        Assert.That((old.Name, old.Running), Is.EqualTo(("shop-postgres", true)));
    }

    [Test]
    public async Task A_recreated_dependency_that_exits_at_once_fails_the_deploy_and_the_old_one_runs_again()
    {
        var old = Running(Plan());
        _docker.ExitOnStart["shop-postgres"] = 1;

        var failure = Assert.ThrowsAsync<DeployFailure>(() => new DependencyManager(_docker).EnsureAsync(Plan("postgres:17"), "0.0.0.0", _progress, CancellationToken.None));

        Assert.That(failure!.Message, Is.EqualTo("dependency postgres: the recreated container exited with code 1"));
        Assert.That(_docker.Containers, Is.EqualTo(new[] { old }));
        Assert.That((old.Name, old.Running), Is.EqualTo(("shop-postgres", true)));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_recreation_Docker_refuses_puts_the_old_one_back()
    {
        var old = Running(Plan());
        _docker.FailCreate["shop-postgres"] = new DockerRefused("no space left on device");

        Assert.ThrowsAsync<DockerRefused>(() => new DependencyManager(_docker).EnsureAsync(Plan(env: "v2"), "0.0.0.0", _progress, CancellationToken.None));

        Assert.That((old.Name, old.Running), Is.EqualTo(("shop-postgres", true)));
        await Task.CompletedTask;
    }

    private sealed class DockerRefused(string message) : Exception(message);
}

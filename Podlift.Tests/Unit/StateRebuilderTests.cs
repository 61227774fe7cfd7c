using NUnit.Framework;
using Podlift.Agent.Docker;
using Podlift.Agent.State;

namespace Podlift.Tests.Unit;

public class StateRebuilderTests
{
    private static readonly DateTimeOffset Day1 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static AppContainer Container(string version, int deployedDay, string state, string service = "web", int replica = 1) =>
        new($"id-{version}-{service}-{replica}", $"myapp-{service}-{version}-{replica}", "myapp", service, version, replica, state, 20000 + replica,
            Day1.AddDays(deployedDay), $"user-{version}", "none", null);

    [Test]
    public void The_running_version_is_current_even_when_a_newer_one_is_stopped()
    {
        // v3 failed its health check and was stopped; v2 still serves
        AppContainer[] containers = [Container("v3", 3, "exited"), Container("v2", 2, "running"), Container("v1", 1, "exited")];

        var record = StateRebuilder.FromContainers("myapp", containers)!;

        Assert.That(record.App, Is.EqualTo("myapp"));
        Assert.That(record.Current!.Version, Is.EqualTo("v2"));
        Assert.That(record.Previous!.Version, Is.EqualTo("v3"));
    }

    [Test]
    public void Without_a_running_version_the_newest_is_current_and_the_next_is_previous()
    {
        AppContainer[] containers = [Container("v1", 1, "exited"), Container("v3", 3, "exited"), Container("v2", 2, "exited")];

        var record = StateRebuilder.FromContainers("myapp", containers)!;

        Assert.That((record.Current!.Version, record.Previous!.Version), Is.EqualTo(("v3", "v2")));
    }

    [Test]
    public void A_single_version_has_no_previous()
    {
        var record = StateRebuilder.FromContainers("myapp", [Container("v1", 1, "running")])!;

        Assert.That(record.Current!.Version, Is.EqualTo("v1"));
        Assert.That(record.Previous, Is.Null);
    }

    [Test]
    public void Deployment_is_rebuilt_from_the_labels_of_its_containers()
    {
        AppContainer[] containers = [Container("v2", 2, "running", "web", 1), Container("v2", 2, "running", "web", 2), Container("v2", 2, "running", "worker", 1)];

        var current = StateRebuilder.FromContainers("myapp", containers)!.Current!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(current.DeployedAt, Is.EqualTo(Day1.AddDays(2)));
            Assert.That(current.DeployedBy, Is.EqualTo("user-v2"));
            Assert.That(current.Containers, Is.EqualTo(new[]
            {
                new ContainerRecord("myapp-web-v2-1", "id-v2-web-1", "web", 1, 20001),
                new ContainerRecord("myapp-web-v2-2", "id-v2-web-2", "web", 2, 20002),
                new ContainerRecord("myapp-worker-v2-1", "id-v2-worker-1", "worker", 1, 20001),
            }));
        }
    }

    [Test]
    public void Containers_without_a_version_label_are_ignored()
    {
        var rebuilt = StateRebuilder.FromContainers("myapp", [Container("", 5, "running"), Container("v1", 1, "exited")])!;

        Assert.That(rebuilt.Current!.Version, Is.EqualTo("v1"));
        Assert.That(rebuilt.Previous, Is.Null);
        Assert.That(StateRebuilder.FromContainers("myapp", [Container("", 1, "running")]), Is.Null);
        Assert.That(StateRebuilder.FromContainers("myapp", []), Is.Null);
    }
}

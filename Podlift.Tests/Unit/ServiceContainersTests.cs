using Podlift.Agent.Docker;
using Podlift.Agent.Operate;

namespace Podlift.Tests.Unit;

public class ServiceContainersTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static AppContainer Container(string name, string service, string version, int replica, string state, DateTimeOffset? started = null, DateTimeOffset? deployed = null) =>
        new($"id-{name}", name, "shop", service, version, replica, state, 0, deployed ?? T0, "ana", "none", started);

    [Test]
    public void One_container_per_replica_of_the_current_version_of_that_service_in_replica_order()
    {
        var containers = new[]
        {
            Container("shop-web-new-2", "web", "new", 2, "running", T0),
            Container("shop-web-new-1", "web", "new", 1, "running", T0),
            Container("shop-web-old-1", "web", "old", 1, "exited"),
            Container("shop-worker-new-1", "worker", "new", 1, "running", T0),
        };

        var selected = ServiceContainers.Select("new", "web", containers);

        Assert.That(selected.Select(c => c.Name), Is.EqualTo(new[] { "shop-web-new-1", "shop-web-new-2" }));
    }

    [Test]
    public void A_replica_moved_aside_by_a_redeploy_of_the_same_version_gives_way_to_the_running_one()
    {
        var containers = new[]
        {
            Container("shop-web-v1-1-replaced-1740830000", "web", "v1", 1, "exited", deployed: T0),
            Container("shop-web-v1-1", "web", "v1", 1, "running", T0.AddMinutes(5), T0.AddMinutes(5)),
        };

        Assert.That(ServiceContainers.Select("v1", "web", containers).Single().Name, Is.EqualTo("shop-web-v1-1"));
    }

    [Test]
    public void A_stopped_replica_is_still_listed_so_its_log_can_be_read()
    {
        var containers = new[] { Container("shop-web-v1-1", "web", "v1", 1, "exited") };

        Assert.That(ServiceContainers.Select("v1", "web", containers).Single().State, Is.EqualTo("exited"));
    }

    [Test]
    public void Nothing_when_the_service_does_not_run_that_version_here() =>
        Assert.That(ServiceContainers.Select("v2", "web", [Container("shop-web-v1-1", "web", "v1", 1, "running", T0)]), Is.Empty);
}

using NUnit.Framework;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;

namespace Podlift.Tests.Unit;

public class RetentionPolicyTests
{
    private static readonly DateTimeOffset Day1 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static AppContainer Container(string version, int deployedDay, string state = "exited", int replica = 1) =>
        new($"id-{version}-{replica}", $"myapp-web-{version}-{replica}", "myapp", "web", version, replica, state, 0,
            deployedDay == 0 ? null : Day1.AddDays(deployedDay - 1), "alice", "none", null);

    private static IEnumerable<string> Removed(IEnumerable<AppContainer> containers, int kept) =>
        RetentionPolicy.SelectForRemoval(containers, kept).Select(c => c.Name);

    [Test]
    public void Keeps_the_newest_versions_by_deploy_time_not_by_list_order()
    {
        AppContainer[] containers = [Container("v5", 5, "running"), Container("v2", 2), Container("v4", 4), Container("v1", 1), Container("v3", 3)];

        Assert.That(Removed(containers, 3), Is.EquivalentTo(new[] { "myapp-web-v1-1", "myapp-web-v2-1" }));
    }

    [Test]
    public void Removes_every_replica_of_an_old_version()
    {
        AppContainer[] containers = [Container("v1", 1, replica: 1), Container("v1", 1, replica: 2), Container("v2", 2, "running")];

        Assert.That(Removed(containers, 1), Is.EquivalentTo(new[] { "myapp-web-v1-1", "myapp-web-v1-2" }));
    }

    [Test]
    public void Never_removes_a_running_container_even_of_an_old_version()
    {
        AppContainer[] containers = [Container("v1", 1, "running"), Container("v2", 2), Container("v3", 3, "running")];

        Assert.That(Removed(containers, 1), Is.EqualTo(new[] { "myapp-web-v2-1" }));
    }

    [Test]
    public void Containers_without_a_deploy_time_are_the_oldest()
    {
        AppContainer[] containers = [Container("unknown", 0), Container("v1", 1), Container("v2", 2)];

        Assert.That(Removed(containers, 2), Is.EqualTo(new[] { "myapp-web-unknown-1" }));
    }

    [Test]
    public void By_default_three_versions_are_kept()
    {
        AppContainer[] containers = [Container("v1", 1), Container("v2", 2), Container("v3", 3), Container("v4", 4, "running")];

        Assert.That(Removed(containers, RetentionPolicy.DefaultVersionsKept), Is.EqualTo(new[] { "myapp-web-v1-1" }));
    }

    [Test]
    public void A_version_counts_as_new_as_its_newest_container()
    {
        // v1's second replica was redeployed after v2: v1 is the newer version
        AppContainer[] containers = [Container("v1", 1, replica: 1), Container("v1", 3, replica: 2), Container("v2", 2)];

        Assert.That(Removed(containers, 1), Is.EqualTo(new[] { "myapp-web-v2-1" }));
    }
}

using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;

namespace Podlift.Tests.Unit;

public class ContainerNamingTests
{
    private static AppContainer Container(string id, string name, string version, int replica = 1, string service = "web", bool running = true) =>
        new(id, name, "shop", service, version, replica, running ? "running" : "exited", 20000 + replica, null, "", "none", null);

    private static Dictionary<string, string> Apply(IReadOnlyList<AppContainer> containers, IReadOnlyList<Rename> renames)
    {
        var names = containers.ToDictionary(c => c.Id, c => c.Name);
        foreach (var rename in renames)
        {
            Assert.That(names[rename.Id], Is.EqualTo(rename.From), "each rename starts from the name the container has then");
            Assert.That(names.Values, Does.Not.Contain(rename.To), $"{rename.To} is still taken when {rename.From} would take it");
            names[rename.Id] = rename.To;
        }
        return names;
    }

    [Test]
    public void After_a_deploy_the_new_version_takes_the_stable_names_and_the_old_gets_its_versioned_names_back()
    {
        var containers = new[]
        {
            Container("old1", "shop-web-1", "aaa1111", 1, running: false),
            Container("old2", "shop-web-2", "aaa1111", 2, running: false),
            Container("new1", "shop-web-bbb2222-1", "bbb2222", 1),
            Container("new2", "shop-web-bbb2222-2", "bbb2222", 2),
            Container("wrk1", "shop-worker-bbb2222-1", "bbb2222", 1, "worker"),
        };

        var names = Apply(containers, ContainerNaming.Plan(containers, new HashSet<string> { "new1", "new2", "wrk1" }));

        Assert.That(names, Is.EqualTo(new Dictionary<string, string>
        {
            ["old1"] = "shop-web-aaa1111-1", ["old2"] = "shop-web-aaa1111-2",
            ["new1"] = "shop-web-1", ["new2"] = "shop-web-2", ["wrk1"] = "shop-worker-1",
        }));
    }

    [Test]
    public void Names_already_right_need_no_rename()
    {
        var containers = new[] { Container("live", "shop-web-1", "bbb2222"), Container("old", "shop-web-aaa1111-1", "aaa1111", running: false) };

        Assert.That(ContainerNaming.Plan(containers, new HashSet<string> { "live" }), Is.Empty);
    }

    [Test]
    public void Two_containers_that_want_each_others_names_are_swapped_through_a_parking_name()
    {
        // a redeploy of the same version whose old container was kept: it holds the stable name the new one wants, and the new one its versioned name
        var containers = new[] { Container("old", "shop-web-1", "aaa1111", running: false), Container("new", "shop-web-aaa1111-1", "aaa1111") };

        var names = Apply(containers, ContainerNaming.Plan(containers, new HashSet<string> { "new" }));

        Assert.That(names["new"], Is.EqualTo("shop-web-1"));
        Assert.That(names["old"], Is.EqualTo("shop-web-aaa1111-1"));
    }

    [Test]
    public void Two_containers_of_one_replica_that_are_not_live_keep_apart()
    {
        var containers = new[] { Container("a", "shop-web-aaa1111-1", "aaa1111", running: false), Container("b", "shop-web-1", "aaa1111", running: false) };

        var names = Apply(containers, ContainerNaming.Plan(containers, new HashSet<string>()));

        Assert.That(names.Values, Is.Unique);
        Assert.That(names.Values, Has.All.StartWith("shop-web-aaa1111-1"));
    }

    [Test]
    public void Agents_before_stable_names_left_the_live_containers_with_versioned_names()
    {
        var containers = new[] { Container("live", "shop-web-aaa1111-1", "aaa1111"), Container("older", "shop-web-0000aaa-1", "0000aaa", running: false) };

        var renames = ContainerNaming.Plan(containers, ContainerNaming.LiveIds("aaa1111", containers));

        Assert.That(renames, Is.EqualTo(new[] { new Rename("live", "shop-web-aaa1111-1", "shop-web-1") }));
    }

    [Test]
    public void The_live_ids_are_one_container_per_replica_of_the_version_the_running_one_first()
    {
        var containers = new[]
        {
            Container("stopped-copy", "shop-web-aaa1111-1-replaced-1", "aaa1111", 1, running: false),
            Container("running", "shop-web-aaa1111-1", "aaa1111", 1),
            Container("r2", "shop-web-aaa1111-2", "aaa1111", 2),
            Container("other", "shop-web-bbb2222-1", "bbb2222", 1),
        };

        Assert.That(ContainerNaming.LiveIds("aaa1111", containers), Is.EquivalentTo(new[] { "running", "r2" }));
    }
}

using NUnit.Framework;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class ContainerNamesTests
{
    [TestCase("myapp", "web", "abc1234", 1, "myapp-web-abc1234-1")]
    [TestCase("shop", "worker", "def5678", 12, "shop-worker-def5678-12")]
    public void For(string app, string service, string version, int replica, string expected)
    {
        Assert.That(ContainerNames.For(app, service, version, replica), Is.EqualTo(expected));
    }

    [Test]
    public void Live_containers_have_a_stable_name_without_their_version()
    {
        Assert.That(ContainerNames.Live("myapp", "web", 1), Is.EqualTo("myapp-web-1"), "the guide's `docker exec myapp-web-1 ...`");
    }

    [Test]
    public void Replaced_appends_the_unix_time()
    {
        var at = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));

        Assert.That(ContainerNames.Replaced("myapp-web-abc1234-1", at), Is.EqualTo($"myapp-web-abc1234-1-replaced-{at.ToUnixTimeSeconds()}"));
        Assert.That(at.ToUnixTimeSeconds(), Is.EqualTo(1735779845));
    }
}

using NUnit.Framework;
using Podlift.Agent.Deploy;

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
    public void Replaced_appends_the_unix_time()
    {
        var at = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));

        Assert.That(ContainerNames.Replaced("myapp-web-abc1234-1", at), Is.EqualTo($"myapp-web-abc1234-1-replaced-{at.ToUnixTimeSeconds()}"));
        Assert.That(at.ToUnixTimeSeconds(), Is.EqualTo(1735779845));
    }
}

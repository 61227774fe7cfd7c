using Podlift.Agent.Docker;

namespace Podlift.Tests.Unit;

public class ImageNamesTests
{
    [TestCase("myapp:abc1234", "def5678", "myapp:def5678")]
    [TestCase("ghcr.io/me/myapp:abc1234", "def5678", "ghcr.io/me/myapp:def5678")]
    [TestCase("registry.example.com:5000/team/myapp:abc1234", "def5678", "registry.example.com:5000/team/myapp:def5678")]
    [TestCase("localhost:5000/myapp:abc1234", "def5678", "localhost:5000/myapp:def5678")]
    [TestCase("localhost:5000/myapp", "def5678", "localhost:5000/myapp:def5678")]
    [TestCase("myapp", "def5678", "myapp:def5678")]
    public void WithTag_replaces_only_the_tag(string image, string tag, string expected)
    {
        Assert.That(ImageNames.WithTag(image, tag), Is.EqualTo(expected));
    }

    [TestCase("myapp:abc1234", "myapp", "abc1234")]
    [TestCase("10.0.0.1:5443/shop:abc1234", "10.0.0.1:5443/shop", "abc1234")]
    [TestCase("localhost:5000/myapp", "localhost:5000/myapp", "latest")]
    [TestCase("redis", "redis", "latest")]
    public void A_reference_splits_into_repository_and_tag(string image, string repository, string tag)
    {
        Assert.That(Podlift.Protocol.ImageReference.Split(image), Is.EqualTo((repository, tag)));
    }
}

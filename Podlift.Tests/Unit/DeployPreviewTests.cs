using Podlift.Cli.Configuration;
using Podlift.Cli.Planning;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class DeployPreviewTests
{
    private static readonly ServerConfig Server = new("10.0.0.1", "root", 22, null, [], []);

    private static PodliftConfig Config(RegistryConfig? registry = null) => new()
    {
        App = "shop", Image = "shop", SourcePath = "/srv/shop/podlift.yml", Servers = [Server],
        Services = [new ServiceConfig { Name = "web" }], Registry = registry,
    };

    private static readonly DeployPlan Plan = new() { App = "shop", Version = "abc1234", Image = "shop:abc1234" };

    [Test]
    public void Without_a_registry_the_image_is_sent()
    {
        Assert.That(DeployPreview.Deploy(Config(), Server, Plan, null, imageOnServer: false),
            Does.Contain("  image:  shop:abc1234 would be built and sent"));
    }

    [Test]
    public void With_a_registry_the_image_is_pushed_once_and_pulled()
    {
        var lines = DeployPreview.Deploy(Config(new RegistryConfig("ghcr.io", "me", "secret")), Server, Plan, null, imageOnServer: false).ToList();

        Assert.That(lines, Does.Contain("  image:  shop:abc1234 would be built, pushed to ghcr.io (once for all servers) and pulled here"));
        Assert.That(string.Join('\n', lines), Does.Not.Contain("secret"));
    }

    [Test]
    public void An_image_already_on_the_server_moves_nowhere_either_way()
    {
        Assert.That(DeployPreview.Deploy(Config(new RegistryConfig("ghcr.io", null, null)), Server, Plan, null, imageOnServer: true),
            Does.Contain("  image:  shop:abc1234 is already there; nothing to send"));
    }

    [Test]
    public void A_rollback_to_pruned_containers_says_where_the_image_would_come_from()
    {
        var state = new AppState { App = "shop", Current = new Deployment { Version = "def5678" } };

        Assert.That(DeployPreview.Rollback(Server, state, "abc1234"), Has.Some.Contains("if its image is still on the server (else refused"));
        Assert.That(DeployPreview.Rollback(Server, state, "abc1234", "ghcr.io"), Has.Some.Contains("its image pulled from ghcr.io if the server no longer has it"));
    }
}

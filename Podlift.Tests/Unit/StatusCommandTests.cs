using Podlift.Cli.Commands;
using Podlift.Cli.Configuration;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class StatusReporterTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 10, 12, 0, 0, TimeSpan.Zero);

    private static readonly ServerConfig First = new("10.0.0.1", "root", 22, null, [], []);
    private static readonly ServerConfig Second = new("10.0.0.2", "root", 22, null, [], []);

    private static PodliftConfig Config(string? domain = null, params ServiceConfig[] services) => new()
    {
        App = "myapp",
        Image = "myapp",
        Domains = domain is null ? [] : [domain],
        Servers = [First, Second],
        Services = services.Length > 0 ? services : [new ServiceConfig { Name = "web", Replicas = 3 }, new ServiceConfig { Name = "worker", HealthCheck = null }],
        SourcePath = "/project/podlift.yml",
    };

    private static long Ago(TimeSpan span) => (Now - span).ToUnixTimeMilliseconds();

    private static ContainerState Container(string service, string version, HealthState health, int replica = 1) =>
        new() { Name = $"myapp-{service}-{version}-{replica}", Service = service, Version = version, Replica = replica, Status = "running", Health = health };

    private static AppState App(params ContainerState[] containers)
    {
        var app = new AppState
        {
            App = "myapp",
            Current = new Deployment { Version = "abc1234", CommitMessage = "Fix login", DeployedBy = "alice", DeployedAtUnixMilliseconds = Ago(TimeSpan.FromHours(2)) },
            Previous = new Deployment { Version = "def5678", CommitMessage = "Add cart", DeployedBy = "bob", DeployedAtUnixMilliseconds = Ago(TimeSpan.FromDays(3)) },
        };
        app.Containers.Add(containers);
        return app;
    }

    private static List<string> Lines(AppState? app, ServerConfig? server = null, PodliftConfig? config = null) =>
        StatusCommand.Lines(config ?? Config(), server ?? First, app, Now).ToList();

    [Test]
    public void An_app_that_is_not_deployed_says_so()
    {
        Assert.That(Lines(null), Is.EqualTo(new[] { "myapp on 10.0.0.1", "  not deployed yet" }));
        Assert.That(Lines(new AppState { App = "myapp" }, Second), Is.EqualTo(new[] { "myapp on 10.0.0.2", "  not deployed yet" }));
    }

    [Test]
    public void Current_and_previous_deployments_with_when_and_by_whom()
    {
        var lines = Lines(App());

        Assert.That(lines.Take(3), Is.EqualTo(new[]
        {
            "myapp on 10.0.0.1",
            "  Current:  abc1234 \"Fix login\", deployed 2h ago by alice",
            "  Previous: def5678 \"Add cart\", deployed 3d ago by bob",
        }));
    }

    [Test]
    public void Without_a_previous_deployment_it_says_none()
    {
        var app = App();
        app.Previous = null;

        Assert.That(Lines(app), Does.Contain("  Previous: none"));
    }

    [Test]
    public void Health_counts_the_current_versions_healthy_containers_against_the_configured_replicas()
    {
        var app = App(
            Container("web", "abc1234", HealthState.Healthy, 1), Container("web", "abc1234", HealthState.Healthy, 2), Container("web", "abc1234", HealthState.Healthy, 3),
            Container("web", "def5678", HealthState.Unhealthy, 1),
            Container("worker", "abc1234", HealthState.Running));

        var health = Lines(app).Where(l => l.StartsWith("  Health:"));

        Assert.That(health, Is.EqualTo(new[] { "  Health:   web 3/3 healthy", "  Health:   worker 1/1 healthy" }));
    }

    [Test]
    public void Health_below_the_replicas_lists_the_states_seen()
    {
        var app = App(Container("web", "abc1234", HealthState.Healthy, 1), Container("web", "abc1234", HealthState.Starting, 2), Container("web", "abc1234", HealthState.Unhealthy, 3));

        Assert.That(Lines(app), Does.Contain("  Health:   web 1/3 healthy,starting,unhealthy"));
    }

    [Test]
    public void A_missing_replica_counts_against_health()
    {
        var app = App(Container("web", "abc1234", HealthState.Healthy, 1), Container("web", "abc1234", HealthState.Healthy, 2));

        Assert.That(Lines(app), Does.Contain("  Health:   web 2/3 healthy"));
    }

    [TestCase(null, "  URL:      http://10.0.0.1")]
    [TestCase("shop.example.com", "  URL:      http://shop.example.com")]
    public void The_primary_shows_the_url(string? domain, string expected)
    {
        Assert.That(Lines(App(), First, Config(domain)), Does.Contain(expected));
    }

    [Test]
    public void Other_servers_and_apps_without_a_routed_service_show_no_url()
    {
        var workersOnly = Config(null, new ServiceConfig { Name = "worker", HealthCheck = null });

        Assert.That(Lines(App(), Second), Has.None.StartWith("  URL:"));
        Assert.That(Lines(App(), First, workersOnly), Has.None.StartWith("  URL:"));
    }

    [Test]
    public void Recent_lists_the_newest_five_entries_of_the_history()
    {
        var app = App();
        for (var n = 1; n <= 7; n++)
            app.History.Add(new DeploymentInfo
            {
                Operation = n == 2 ? Operation.Rollback : Operation.Deploy, Version = $"v{n}", Outcome = n == 3 ? Outcome.Failed : Outcome.Succeeded,
                StartedAtUnixMilliseconds = Ago(TimeSpan.FromHours(n)), DurationMilliseconds = 12_345, DeployedBy = "alice",
            });

        var lines = Lines(app);
        var recent = lines.SkipWhile(l => l != "  Recent:").Skip(1).ToList();

        Assert.That(recent, Has.Count.EqualTo(5));
        Assert.That(recent[0], Is.EqualTo("    1h ago   deploy   v1       succeeded   12.3s  alice"));
        Assert.That(recent[1], Is.EqualTo("    2h ago   rollback v2       succeeded   12.3s  alice"));
        Assert.That(recent[2], Does.Contain(" failed "));
        Assert.That(recent[4], Does.StartWith("    5h ago   deploy   v5 "));
    }

    [Test]
    public void Without_history_there_is_no_recent_section()
    {
        Assert.That(Lines(App()), Has.None.Contains("Recent"));
    }
}

using NUnit.Framework;
using Podlift.Cli.Commands;
using Podlift.Cli.Configuration;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class StatusReaderTests
{
    private static readonly ServerConfig Server = new("10.0.0.1", "root", 22, null, [], []);

    private static readonly PodliftConfig Config = new()
    {
        App = "myapp",
        Image = "myapp",
        Servers = [Server],
        Services = [new ServiceConfig { Name = "web", Replicas = 3 }, new ServiceConfig { Name = "worker", HealthCheck = null }],
        SourcePath = "/project/podlift.yml",
    };

    private static ContainerState Container(string service, string version, string status = "running", HealthState health = HealthState.Healthy,
        TimeSpan? startedAgo = null) => new()
    {
        Name = $"myapp-{service}-{version}",
        Service = service,
        Version = version,
        Status = status,
        Health = health,
        StartedAtUnixMilliseconds = startedAgo is { } ago ? DateTimeOffset.UtcNow.Subtract(ago).ToUnixTimeMilliseconds() : 0,
    };

    private static AppState App(params ContainerState[] containers)
    {
        var app = new AppState { App = "myapp", Current = new Deployment { Version = "v3" }, Previous = new Deployment { Version = "v2" } };
        app.Containers.Add(containers);
        return app;
    }

    private static List<string[]> Rows(AppState app, bool all) =>
        PsCommand.Rows(Config, Server, app, all).Select(r => r.ToArray()).ToList();

    [Test]
    public void Dependencies_follow_the_services_with_their_image_and_state()
    {
        var app = App(Container("web", "v3"));
        app.Dependencies.Add(new DependencyState { Name = "postgres", Image = "postgres:16", Running = true, Health = HealthState.Healthy,
            StartedAtUnixMilliseconds = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds() });
        app.Dependencies.Add(new DependencyState { Name = "redis", Image = "redis:7", Running = true, Health = HealthState.Running,
            StartedAtUnixMilliseconds = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds() });
        app.Dependencies.Add(new DependencyState { Name = "search", Image = "meili:1", Running = false, Health = HealthState.Stopped });

        var rows = Rows(app, all: false);

        Assert.That(rows.Skip(1).Select(r => (r[1], r[2], r[3], r[4], r[5])), Is.EqualTo(new[]
        {
            ("postgres (dependency)", "postgres:16", "1/1", "healthy", "2h"),
            ("redis (dependency)", "redis:7", "1/1", "running", "5m"),
            ("search (dependency)", "meili:1", "0/1", "stopped", "-"),
        }));
    }

    [Test]
    public void Shows_only_the_current_version_by_default()
    {
        var app = App(Container("web", "v2", "exited", HealthState.Stopped), Container("web", "v3"), Container("web", "v1", "exited", HealthState.Stopped));

        var rows = Rows(app, all: false);

        Assert.That(rows.Select(r => r[2]), Is.EqualTo(new[] { "v3" }));
    }

    [Test]
    public void All_shows_older_versions_after_the_current_one_marked_previous_or_old()
    {
        var app = App(Container("web", "v1", "exited", HealthState.Stopped), Container("web", "v2", "exited", HealthState.Stopped), Container("web", "v3"));

        var rows = Rows(app, all: true);

        Assert.That(rows.Select(r => (r[2], r[4])), Is.EqualTo(new[]
        {
            ("v3", "healthy"),
            ("v1", "exited (old)"),
            ("v2", "exited (previous)"),
        }));
    }

    [Test]
    public void Replicas_are_running_over_desired_from_the_config()
    {
        var app = App(Container("web", "v3"), Container("web", "v3", "exited", HealthState.Stopped));

        var row = Rows(app, all: false).Single();

        Assert.That(row[3], Is.EqualTo("1/3"));
    }

    [Test]
    public void Old_versions_count_replicas_against_their_own_containers()
    {
        var app = App(Container("web", "v3"), Container("web", "v2", "exited", HealthState.Stopped), Container("web", "v2"));

        var previous = Rows(app, all: true).Single(r => r[2] == "v2");

        Assert.That(previous[3], Is.EqualTo("1/2"));
    }

    [Test]
    public void A_service_no_longer_in_the_config_counts_its_own_containers()
    {
        var app = App(Container("cron", "v3"), Container("cron", "v3"));

        Assert.That(Rows(app, all: false).Single()[3], Is.EqualTo("2/2"));
    }

    [Test]
    public void Mixed_health_is_listed_distinctly()
    {
        var app = App(Container("web", "v3", health: HealthState.Healthy), Container("web", "v3", health: HealthState.Starting), Container("web", "v3", health: HealthState.Healthy));

        Assert.That(Rows(app, all: false).Single()[4], Is.EqualTo("healthy/starting"));
    }

    [Test]
    public void Rows_are_per_service_in_name_order_and_start_with_the_host()
    {
        var app = App(Container("worker", "v3", health: HealthState.Running), Container("web", "v3"));

        var rows = Rows(app, all: false);

        Assert.That(rows.Select(r => (r[0], r[1])), Is.EqualTo(new[] { ("10.0.0.1", "web"), ("10.0.0.1", "worker") }));
    }

    [Test]
    public void Uptime_is_from_the_earliest_start_and_dash_when_unknown()
    {
        var started = App(Container("web", "v3", startedAgo: TimeSpan.FromMinutes(2)), Container("web", "v3", startedAgo: TimeSpan.FromMinutes(7.5)));
        var unknown = App(Container("web", "v3"));

        Assert.That(Rows(started, all: false).Single()[5], Is.EqualTo("7m"));
        Assert.That(Rows(unknown, all: false).Single()[5], Is.EqualTo("-"));
    }
}

using Podlift.Cli.Commands;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>deploy --canary's flags, the plans it asks for, and how status, ps and --json show a canary.</summary>
public class CanaryCliTests
{
    private static readonly ServerConfig Server = new("10.0.0.1", "root", 22, null, [], []);

    private static PodliftConfig Config(int servers = 1) => new()
    {
        App = "shop",
        Image = "shop",
        Servers = Enumerable.Range(1, servers).Select(i => new ServerConfig($"10.0.0.{i}", "root", 22, null, [], [])).ToList(),
        Services = [new ServiceConfig { Name = "web", Port = 8000 }, new ServiceConfig { Name = "worker", HealthCheck = null }],
        SourcePath = "/project/podlift.yml",
        Verify = new VerifyConfig(TimeSpan.FromSeconds(60), 0.01, 20),
    };

    [TestCase("10%", 0.1)]
    [TestCase("0.25", 0.25)]
    [TestCase("2.5%", 0.025)]
    public void The_share_is_read_as_podlift_yml_reads_shares(string text, double share)
    {
        var canary = CanaryRollout.From(text, null, null)!;

        Assert.That(canary.Share, Is.EqualTo(share).Within(1e-9));
        Assert.That(canary.Hold, Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase("10", null, null, "--canary 10: must be between 0% and 100%")]
    [TestCase("web-2", null, null, "--canary web-2: must be a share such as 1% or 0.01")]
    [TestCase("100%", null, null, "a canary takes more than 0% and less than 100% of clients")]
    [TestCase("0%", null, null, "a canary takes more than 0% and less than 100% of clients")]
    [TestCase("10%", "soon", null, "--canary-hold soon: must be a duration")]
    [TestCase("10%", null, "1%", "--max-error-rate is the limit of a canary's hold, and there is no --canary-hold")]
    [TestCase("10%", "5m", "lots", "--max-error-rate lots: must be a share")]
    [TestCase(null, "5m", null, "--canary-hold watches a canary, and there is none without --canary")]
    public void Bad_canary_flags_are_refused_with_exit_2_naming_the_flag(string? canary, string? hold, string? rate, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => CanaryRollout.From(canary, hold, rate))!;

        Assert.That(error.Message, Does.Contain(message));
        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Configuration));
        Assert.That(error.Fix, Is.Not.Empty);
    }

    [Test]
    public void A_held_canary_gets_the_hold_and_the_rate_in_the_primarys_plan_and_verify_gives_way_to_it()
    {
        var config = Config();
        var canary = CanaryRollout.From("10%", "5m", "2%")!;

        var plan = DeployPlanner.For(config, config.Servers[0], config.Servers.ToDictionary(s => s, s => s.Host), new Release("abc1234", "shop:abc1234", "me", "msg", ""),
            skipHealthcheck: false, canary: canary);

        Assert.That(plan.Canary, Is.EqualTo(new CanaryPlan { Share = 0.1, HoldMilliseconds = 300_000, MaxErrorRate = 0.02, MinRequests = PlanDefaults.VerifyMinRequests }));
        Assert.That(plan.Verify, Is.Null, "the canary's hold is its watch");
        Assert.That(CapabilityNeeds.ForDeploy(plan, registry: false).Select(n => n.Capability), Does.Contain(Capabilities.Canary));
    }

    [Test]
    public void A_canary_without_the_routed_service_on_the_primary_or_with_another_rollout_is_refused_before_anything_is_read()
    {
        var canary = CanaryRollout.From("10%", null, null);
        var balancerOnly = Config(servers: 3) with
        {
            Servers = [new ServerConfig("10.0.0.1", "root", 22, null, ["balancer"], []), new ServerConfig("10.0.0.2", "root", 22, null, ["web"], []),
                new ServerConfig("10.0.0.3", "root", 22, null, ["web"], [])],
        };

        var elsewhere = Assert.Throws<ValidationException>(() => new DeployOptions(false, false, Canary: canary).RolloutFor(balancerOnly))!;
        var atomic = Assert.Throws<ConfigurationException>(() => new DeployOptions(false, false, Atomic: true, Canary: canary).RolloutFor(Config()))!;

        Assert.That(elsewhere.Message, Does.Contain("podlift.yml runs no routed service on 10.0.0.1"));
        Assert.That(atomic.Message, Does.Contain("--canary and --atomic are two different rollouts"));
        Assert.That(new DeployOptions(false, false, Canary: canary).RolloutFor(Config()), Is.EqualTo(Rollout.Serial));
        Assert.That(new DeployOptions(false, false, Canary: canary).RolloutFor(Config(servers: 3)), Is.EqualTo(Rollout.Serial), "on the primary, beside every server's old backends");
    }

    private static AppState WithCanary()
    {
        var now = DateTimeOffset.UtcNow;
        var app = new AppState
        {
            App = "shop",
            Current = new Deployment { Version = "aaa1111", CommitMessage = "old", DeployedBy = "alice", DeployedAtUnixMilliseconds = now.AddHours(-1).ToUnixTimeMilliseconds() },
            Canary = new CanaryState
            {
                Share = 0.1, DeployId = "d-2",
                Deployment = new Deployment { Version = "bbb2222", CommitMessage = "new", DeployedBy = "bob", DeployedAtUnixMilliseconds = now.AddMinutes(-5).ToUnixTimeMilliseconds() },
            },
        };
        app.Containers.Add(new ContainerState { Name = "shop-web-1", Service = "web", Version = "aaa1111", Status = "running", Health = HealthState.Healthy });
        app.Containers.Add(new ContainerState { Name = "shop-web-bbb2222-1", Service = "web", Version = "bbb2222", Status = "running", Health = HealthState.Healthy });
        app.History.Add(new DeploymentInfo { Operation = Operation.Deploy, Version = "bbb2222", Outcome = Outcome.Canary, DeployedBy = "bob" });
        return app;
    }

    [Test]
    public void Status_shows_the_canary_its_share_and_what_ends_it()
    {
        var lines = StatusCommand.Lines(Config(), Config().Servers[0], WithCanary(), DateTimeOffset.UtcNow).ToList();

        Assert.That(lines, Has.Some.Match(@"^  Canary:   bbb2222 ""new"", deployed 5m ago by bob, for 10% of fresh clients; `podlift promote` or `podlift rollback`$"));
        Assert.That(lines, Has.Some.Match(@"deploy\s+bbb2222\s+canary"));
    }

    [Test]
    public void Ps_lists_the_canary_beside_the_current_version_without_all()
    {
        var rows = PsCommand.Rows(Config(), Config().Servers[0], WithCanary(), all: false).ToList();

        Assert.That(rows.Select(r => (r[2], r[4])), Is.EqualTo(new[] { ("aaa1111", "healthy"), ("bbb2222", "healthy (canary, 10%)") }));
    }

    [Test]
    public void With_json_a_canary_its_promotion_and_its_removal_are_events()
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var errors = new StringWriter();
        var console = new ConsoleOutput(output, errors, verbose: false, json: true);

        new DeployEventPrinter(console).Handle(new DeployEvent
        {
            Operation = Operation.Abort,
            Finished = new DeployFinished
            {
                Version = "bbb2222", Error = "the canary failed its hold: 40 requests, 9 errors",
                Canary = new CanaryOutcome { Version = "bbb2222", Share = 0.1, Status = CanaryStatus.Aborted, StandsBeside = "aaa1111" },
            },
        });
        new DeployEventPrinter(console).Handle(new DeployEvent
        {
            Operation = Operation.Promote, Finished = new DeployFinished { Success = true, Version = "ccc3333", PreviousVersion = "aaa1111" },
        });

        var events = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(events.Select(e => e.GetProperty("event").GetString()), Is.EqualTo(new[] { "canary", "abort", "promote" }));
        Assert.That(events[0].GetProperty("status").GetString(), Is.EqualTo("aborted"));
        Assert.That(events[0].GetProperty("share").GetDouble(), Is.EqualTo(0.1));
        Assert.That(events[1].GetProperty("to").GetString(), Is.EqualTo("aaa1111"));
        Assert.That(events[2].GetProperty("from").GetString(), Is.EqualTo("aaa1111"));
    }
}

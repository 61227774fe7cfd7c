using NUnit.Framework;
using Podlift.Agent.State;

namespace Podlift.Tests.Unit;

public class AppRecordTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static DeploymentRecord Deployment(string version) =>
        new() { Version = version, Image = $"myapp:{version}", DeployId = $"d-{version}", DeployedAt = At };

    private static HistoryEntry Entry(string version, string outcome = "success", int n = 0) =>
        new($"d-{version}-{n}", version, At.AddMinutes(n), 1_000, outcome, "alice", "msg", outcome == "success" ? null : "it broke");

    [Test]
    public void First_success_becomes_current_with_no_previous()
    {
        var record = new AppRecord { App = "myapp" }.WithSuccess(Deployment("v1"), Entry("v1"));

        Assert.That(record.Current!.Version, Is.EqualTo("v1"));
        Assert.That(record.Previous, Is.Null);
        Assert.That(record.History, Is.EqualTo(new[] { Entry("v1") }));
    }

    private static AppRecord Deployed(params string[] versions) =>
        versions.Aggregate(new AppRecord { App = "myapp" }, (record, version) => record.WithSuccess(Deployment(version), Entry(version)));

    [Test]
    public void Success_moves_the_old_current_to_previous()
    {
        var record = Deployed("v1", "v2");

        var next = record.WithSuccess(Deployment("v3"), Entry("v3"));

        Assert.That(next.Current!.Version, Is.EqualTo("v3"));
        Assert.That(next.Previous!.Version, Is.EqualTo("v2"));
        Assert.That((record.Current!.Version, record.Previous!.Version, record.History.Count), Is.EqualTo(("v2", "v1", 2)), "the old record is unchanged");
    }

    [Test]
    public void Redeploying_the_same_version_keeps_the_old_previous()
    {
        var record = Deployed("v1", "v2");
        var redeployed = Deployment("v2") with { DeployId = "d-again" };

        var next = record.WithSuccess(redeployed, Entry("v2"));

        Assert.That(next.Current, Is.SameAs(redeployed));
        Assert.That(next.Previous!.Version, Is.EqualTo("v1"));
    }

    [Test]
    public void Failure_only_adds_history()
    {
        var record = new AppRecord { App = "myapp", Current = Deployment("v2"), Previous = Deployment("v1"), History = [Entry("v2")] };

        var next = record.WithFailure(Entry("v3", "failed"));

        Assert.That(next.Current, Is.SameAs(record.Current));
        Assert.That(next.Previous, Is.SameAs(record.Previous));
        Assert.That(next.History, Is.EqualTo(new[] { Entry("v2"), Entry("v3", "failed") }));
    }

    [Test]
    public void History_keeps_the_newest_fifty()
    {
        var record = new AppRecord { App = "myapp" };
        for (var n = 1; n <= 60; n++)
            record = n % 2 == 0 ? record.WithSuccess(Deployment($"v{n}"), Entry($"v{n}", n: n)) : record.WithFailure(Entry($"v{n}", "failed", n));

        Assert.That(record.History, Has.Count.EqualTo(AppRecord.HistoryLimit).And.Count.EqualTo(50));
        Assert.That(record.History[0].Version, Is.EqualTo("v11"));
        Assert.That(record.History[^1].Version, Is.EqualTo("v60"));
    }

    [Test]
    public void Rollback_makes_the_target_current_and_the_deployment_before_it_previous()
    {
        var record = Deployed("v1", "v2", "v3");

        var back = record.WithRollback(record.Previous!, Entry("v2"));

        Assert.That(back.Current!.Version, Is.EqualTo("v2"));
        Assert.That(back.Previous!.Version, Is.EqualTo("v1"), "v3 was rolled back from, so it is no rollback target");
        Assert.That(back.Deployments.Single(d => d.Version == "v3").RolledBack, Is.True);
    }

    [Test]
    public void Rolling_back_twice_walks_further_back()
    {
        var record = Deployed("v1", "v2", "v3");
        var once = record.WithRollback(record.Previous!, Entry("v2"));

        var twice = once.WithRollback(once.Previous!, Entry("v1"));

        Assert.That(twice.Current!.Version, Is.EqualTo("v1"));
        Assert.That(twice.Previous, Is.Null, "v2 and v3 were both rolled back from");
    }

    [TestCase("v2", "v2")]
    [TestCase("v1", "v1")]
    [TestCase("abcd1234", "abcd1234")]
    [TestCase("abcd", "abcd1234")]
    [TestCase("abc", null)]
    [TestCase("v9", null)]
    public void Finds_deployments_by_version_or_a_prefix_of_four_or_more(string query, string? expected)
    {
        var record = Deployed("v1", "abcd1234", "v2");

        Assert.That(record.FindDeployment(query)?.Version, Is.EqualTo(expected));
    }

    [TestCase("abcd123", "abcd123", true, TestName = "VersionMatches(the same version)")]
    [TestCase("abcd123", "abcd", true, TestName = "VersionMatches(a prefix of four)")]
    [TestCase("abcd123", "abc", false, TestName = "VersionMatches(a prefix of three is too short)")]
    [TestCase("abcd123", "abcd1234ef56", true, TestName = "VersionMatches(a longer sha of a seven-character version)")]
    [TestCase("abcd12", "abcd12ef", false, TestName = "VersionMatches(a longer query of a version under seven characters)")]
    [TestCase("abcd123", "abce", false, TestName = "VersionMatches(another prefix)")]
    [TestCase("abcd123", "abcd124567", false, TestName = "VersionMatches(a longer sha that differs)")]
    [TestCase("v1", "v1", true, TestName = "VersionMatches(a short version exactly)")]
    [TestCase("v1", "v12", false, TestName = "VersionMatches(a short version is no prefix)")]
    public void VersionMatches_accepts_the_version_a_prefix_or_a_longer_sha(string version, string query, bool matches)
    {
        Assert.That(AppRecord.VersionMatches(version, query), Is.EqualTo(matches));
    }

    private static readonly ContainerRecord[] Containers =
    [
        new("myapp-web-v1-1", "c1", "web", 1, 20001),
        new("myapp-web-v1-2", "c2", "web", 2, 20002),
        new("myapp-api-v1-1", "c3", "api", 1, 20003),
        new("myapp-worker-v1-1", "c4", "worker", 1, 0),
        new("myapp-web-v1-3", "c5", "web", 3, 0),
    ];

    private static Podlift.Protocol.DeployPlan PlanRouting(string? routed)
    {
        var plan = new Podlift.Protocol.DeployPlan { App = "myapp", Version = "v1", Image = "myapp:v1" };
        foreach (var name in new[] { "api", "web", "worker" })
            plan.Services.Add(new Podlift.Protocol.ServicePlan { Name = name, Routed = name == routed });
        return plan;
    }

    [TestCase("web", new[] { "myapp-web-v1-1", "myapp-web-v1-2" })]
    [TestCase("api", new[] { "myapp-api-v1-1" })]
    [TestCase(null, new string[0])]
    public void RoutedContainers_are_the_routed_services_containers_with_a_host_port(string? routed, string[] expected)
    {
        var deployment = (Deployment("v1") with { Containers = Containers }).WithPlan(PlanRouting(routed));

        Assert.That(deployment.RoutedContainers().Select(c => c.Name), Is.EqualTo(expected));
    }

    [Test]
    public void RoutedContainers_without_a_recorded_plan_are_none()
    {
        Assert.That((Deployment("v1") with { Containers = Containers }).RoutedContainers(), Is.Empty);
    }
}

using NUnit.Framework;
using Podlift.Agent.Health;
using Podlift.Agent.State;

namespace Podlift.Tests.Unit;

public class StateStoreTests
{
    private TempDirectory _dir = null!;
    private StateStore _store = null!;

    [SetUp]
    public void CreateStore()
    {
        _dir = new TempDirectory();
        _store = new StateStore(_dir.Path);
    }

    [TearDown]
    public void DeleteStore() => _dir.Dispose();

    private static readonly DateTimeOffset At = new(2025, 6, 1, 12, 30, 0, TimeSpan.Zero);

    private static AppRecord Record() => new()
    {
        App = "myapp",
        Current = new DeploymentRecord
        {
            Version = "abc1234",
            Image = "myapp:abc1234",
            DeployId = "d-2",
            DeployedAt = At,
            DeployedBy = "alice",
            CommitMessage = "Fix login",
            Containers = [new ContainerRecord("myapp-web-abc1234-1", "c0ffee", "web", 1, 20001)],
            HealthChecks = new Dictionary<string, HttpCheck> { ["web"] = new("/up", [200, 302]) },
        },
        Previous = new DeploymentRecord { Version = "def5678", Image = "myapp:def5678", DeployId = "d-1", DeployedAt = At.AddHours(-1) },
        History = [new HistoryEntry("d-2", "abc1234", At, 12_345, "success", "alice", "Fix login", null)],
    };

    private string StatePath => Path.Combine(_dir.Path, "myapp", "state.json");

    [Test]
    public void Save_then_load_round_trips_the_record()
    {
        var saved = Record();
        _store.Save(saved);

        var loaded = _store.Load("myapp")!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(loaded.App, Is.EqualTo("myapp"));
            Assert.That(loaded.Current!.Version, Is.EqualTo("abc1234"));
            Assert.That(loaded.Current.Image, Is.EqualTo("myapp:abc1234"));
            Assert.That(loaded.Current.DeployId, Is.EqualTo("d-2"));
            Assert.That(loaded.Current.DeployedAt, Is.EqualTo(At));
            Assert.That(loaded.Current.DeployedBy, Is.EqualTo("alice"));
            Assert.That(loaded.Current.CommitMessage, Is.EqualTo("Fix login"));
            Assert.That(loaded.Current.Containers, Is.EqualTo(saved.Current!.Containers));
            Assert.That(loaded.Current.HealthCheckOf("web")!.Path, Is.EqualTo("/up"));
            Assert.That(loaded.Current.HealthCheckOf("web")!.Expect, Is.EqualTo(new[] { 200, 302 }));
            Assert.That(loaded.Previous!.Version, Is.EqualTo("def5678"));
            Assert.That(loaded.Previous.DeployedAt, Is.EqualTo(At.AddHours(-1)));
            Assert.That(loaded.History, Is.EqualTo(saved.History));
        }
    }

    [Test]
    public void Saved_json_uses_camel_case_and_omits_nulls()
    {
        _store.Save(Record() with { Previous = null });

        var json = File.ReadAllText(StatePath);

        Assert.That(json, Does.Contain("\"current\":").And.Contain("\"deployedAt\":"));
        Assert.That(json, Does.Not.Contain("\"Current\"").And.Not.Contain("\"previous\""));
    }

    [Test]
    public void A_state_json_that_recorded_only_health_paths_still_reads_with_the_default_expected_status()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(StatePath, """
            { "app": "myapp", "current": { "version": "v1", "image": "myapp:v1", "deployId": "d-1", "deployedAt": "2025-06-01T12:30:00+00:00",
              "healthPaths": { "web": "/up" } } }
            """);

        var current = _store.Load("myapp")!.Current!;

        Assert.That(current.HealthCheckOf("web")!.Path, Is.EqualTo("/up"));
        Assert.That(current.HealthCheckOf("web")!.Expect, Is.EqualTo(new[] { 200 }));
        Assert.That(current.HealthCheckOf("worker"), Is.Null);
    }

    /// <summary>An older agent recorded no log position for a canary's hold: none is read as 0 (the log's start), which would count old lines.</summary>
    [Test]
    public void A_canary_recorded_by_an_older_agent_reads_without_a_hold_log_position()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(StatePath, """
            { "app": "myapp", "current": { "version": "v1", "image": "myapp:v1", "deployId": "d-1", "deployedAt": "2025-06-01T12:30:00+00:00" },
              "canary": { "deployment": { "version": "v2", "image": "myapp:v2", "deployId": "d-2", "deployedAt": "2025-06-01T12:40:00+00:00" },
                          "share": 0.1, "holdUntil": "2025-06-01T12:45:00+00:00" } }
            """);

        var canary = _store.Load("myapp")!.Canary!;

        Assert.That((canary.HoldUntil, canary.HoldLogFrom), Is.EqualTo(((DateTimeOffset?)DateTimeOffset.Parse("2025-06-01T12:45:00+00:00"), (long?)null)));
    }

    [Test]
    public void Save_overwrites_and_leaves_no_temporary_file()
    {
        _store.Save(Record());
        _store.Save(Record() with { Current = Record().Current! with { Version = "fff0000" } });

        Assert.That(_store.Load("myapp")!.Current!.Version, Is.EqualTo("fff0000"));
        Assert.That(Directory.GetFiles(Path.Combine(_dir.Path, "myapp")).Select(Path.GetFileName), Is.EqualTo(new[] { "state.json" }));
    }

    [Test]
    public void Load_of_an_app_without_state_is_null()
    {
        _store.Save(Record());

        Assert.That(_store.Load("myapp"), Is.Not.Null);
        Assert.That(_store.Load("nothing-here"), Is.Null);
    }

    [TestCase("{ \"app\": \"myapp\", \"current\": ")]
    [TestCase("not json at all")]
    [TestCase("")]
    [TestCase("{ \"current\": null }")]
    [TestCase("[1, 2, 3]")]
    public void Load_of_corrupt_state_is_null_so_the_caller_rebuilds_it(string json)
    {
        _store.Save(Record());
        Assert.That(_store.Load("myapp"), Is.Not.Null);

        File.WriteAllText(StatePath, json);

        Assert.That(_store.Load("myapp"), Is.Null);
    }

    [Test]
    public void Apps_lists_the_app_directories()
    {
        var missingRoot = new StateStore(Path.Combine(_dir.Path, "missing"));
        _store.Save(Record());
        _store.Save(new AppRecord { App = "other" });

        Assert.That(_store.Apps(), Is.EquivalentTo(new[] { "myapp", "other" }));
        Assert.That(missingRoot.Apps(), Is.Empty);
    }

    [Test]
    public void Journal_lives_under_the_app_directory()
    {
        Assert.That(_store.JournalDirectory("myapp"), Is.EqualTo(Path.Combine(_dir.Path, "myapp", "journal")));
    }

    private static Podlift.Agent.Docker.AppContainer Container(string version, string state, int day) =>
        new($"id-{version}", $"myapp-web-{version}-1", "myapp", "web", version, 1, state, 20001, At.AddDays(day), "bob", "none", null, $"d-{version}");

    private static readonly Podlift.Agent.Docker.AppContainer[] TwoVersions = [Container("v1", "exited", 1), Container("v2", "running", 2)];

    private static Podlift.Protocol.DeployPlan KeptPlan(string version)
    {
        var plan = new Podlift.Protocol.DeployPlan { App = "myapp", Version = version, Image = $"myapp:{version}", CommitMessage = $"commit {version}", DeployedBy = "carol" };
        plan.Services.Add(new Podlift.Protocol.ServicePlan { Name = "web", Routed = true, Healthcheck = new Podlift.Protocol.HealthCheckPlan { Path = "/up" } });
        return plan;
    }

    private void KeepPlan(string deployId, string content)
    {
        Directory.CreateDirectory(_store.JournalDirectory("myapp"));
        File.WriteAllText(_store.PlanPath("myapp", deployId), content);
    }

    [Test]
    public void LoadOrRebuild_uses_the_saved_record_when_there_is_one()
    {
        _store.Save(Record());

        var (record, rebuilt) = _store.LoadOrRebuild("myapp", TwoVersions);

        Assert.That(rebuilt, Is.False);
        Assert.That(record!.Current!.Version, Is.EqualTo("abc1234"), "the file wins over the containers");
    }

    [Test]
    public void LoadOrRebuild_rebuilds_a_lost_record_from_the_containers()
    {
        var (record, rebuilt) = _store.LoadOrRebuild("myapp", TwoVersions);

        Assert.That(rebuilt, Is.True);
        Assert.That((record!.Current!.Version, record.Previous!.Version), Is.EqualTo(("v2", "v1")));
        Assert.That(record.Current.PlanJson, Is.Null, "no plan was kept");
        Assert.That(File.Exists(StatePath), Is.False, "rebuilding writes nothing");
    }

    [Test]
    public void LoadOrRebuild_completes_rebuilt_deployments_with_the_plans_kept_beside_the_journal()
    {
        KeepPlan("d-v2", Google.Protobuf.JsonFormatter.Default.Format(KeptPlan("v2")));

        var (record, _) = _store.LoadOrRebuild("myapp", TwoVersions);

        var current = record!.Current!;
        Assert.That(current.PlanJson, Is.Not.Null);
        Assert.That((current.Image, current.CommitMessage, current.DeployedBy), Is.EqualTo(("myapp:v2", "commit v2", "bob")));
        Assert.That(current.HealthCheckOf("web")!.Path, Is.EqualTo("/up"));
        Assert.That(current.RoutedContainers().Select(c => c.Name), Is.EqualTo(new[] { "myapp-web-v2-1" }));
        Assert.That(record.Deployments.Single(d => d.Version == "v2").PlanJson, Is.EqualTo(current.PlanJson));
        Assert.That(record.Previous!.PlanJson, Is.Null, "v1 kept no plan");
    }

    [Test]
    public void LoadOrRebuild_of_a_lost_record_without_containers_is_nothing()
    {
        Assert.That(_store.LoadOrRebuild("myapp", []), Is.EqualTo(((AppRecord?)null, false)));
    }

    [TestCase("{ \"app\": \"myapp\", \"services\": [ { \"name\": ")]
    [TestCase("not json")]
    [TestCase("")]
    [TestCase("{ \"replicas\": \"many\" }")]
    public void LoadOrRebuild_ignores_a_kept_plan_it_cannot_read(string content)
    {
        KeepPlan("d-v2", content);

        var (record, rebuilt) = _store.LoadOrRebuild("myapp", TwoVersions);

        Assert.That(rebuilt, Is.True);
        Assert.That(record!.Current!.Version, Is.EqualTo("v2"));
        Assert.That(record.Current.PlanJson, Is.Null);
    }
}

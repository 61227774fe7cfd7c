using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>A crash mid-write leaves a torn file: the agent must go on, and recover, from what is whole.</summary>
public class TornFilesTests
{
    private const string App = "myapp";
    private const string DeployId = "20250601T123000000Z-abc1234";

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

    private static string Line(long sequence, DeployEvent deployEvent)
    {
        deployEvent.Sequence = sequence;
        deployEvent.DeployId = DeployId;
        return JsonFormatter.Default.Format(deployEvent) + "\n";
    }

    /// <summary>Two whole events, then the third cut in half by a crash: no line break at the end.</summary>
    private string WriteTornJournal()
    {
        var path = _store.JournalPath(App, DeployId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var third = Line(3, new DeployEvent { Message = new Message { Text = "Starting myapp-web-abc1234-1..." } });
        File.WriteAllText(path, Line(1, new DeployEvent { StepStarted = new StepStarted { Step = DeployStep.Start } })
                                + Line(2, new DeployEvent { Message = new Message { Text = "Traffic switching" } })
                                + third[..(third.Length / 2)]);
        return path;
    }

    private DeployTools Tools(IContainerRuntime? runtime = null, IReverseProxy? proxy = null) =>
        ReconcilerTests.Tools((Fakes.FakeContainerRuntime?)runtime ?? new Fakes.FakeContainerRuntime(), (Fakes.FakeReverseProxy?)proxy ?? new Fakes.FakeReverseProxy(), _store);

    [Test]
    public async Task Attach_replays_a_journal_whose_last_line_was_cut_in_half()
    {
        WriteTornJournal();
        var jobs = new DeployJobs(Tools(), null!, NullLogger<DeployJobs>.Instance);

        var replayed = new List<DeployEvent>();
        await foreach (var deployEvent in jobs.Attach(App, DeployId, CancellationToken.None)) replayed.Add(deployEvent);

        Assert.That(replayed.Select(e => e.Sequence), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task The_restarted_agent_ends_a_journal_whose_last_line_was_cut_in_half()
    {
        var journal = WriteTornJournal();
        _store.Save(new AppRecord
        {
            App = App,
            Current = new DeploymentRecord { Version = "def5678", Image = "myapp:def5678", DeployId = "20250531T000000000Z-def5678", DeployedAt = DateTimeOffset.UtcNow },
        });

        await new Reconciler(Tools(new Fakes.FakeContainerRuntime(), new Fakes.FakeReverseProxy()), NullLogger<Reconciler>.Instance).ReconcileAllAsync(CancellationToken.None);

        var lines = File.ReadAllLines(journal);
        var ending = JsonParser.Default.Parse<DeployEvent>(lines[^1]);
        Assert.That(ending.Finished, Is.Not.Null, "the ending is a line of its own, after the torn one");
        Assert.That(ending.Sequence, Is.EqualTo(3));
        Assert.That(ending.Finished.Error, Does.StartWith("interrupted: the agent restarted during this job; def5678 keeps serving"));
        Assert.That(_store.Load(App)!.History.Single().Outcome, Is.EqualTo("interrupted"));
    }

    [TestCase("{\"enabled\": true, \"domain\": \"sh")]
    [TestCase("")]
    [TestCase("\0\0\0\0")]
    public void A_torn_proxy_json_is_no_settings(string text)
    {
        Directory.CreateDirectory(_store.AppDirectory(App));
        File.WriteAllText(Path.Combine(_store.AppDirectory(App), "proxy.json"), text);

        Assert.That(new NginxSiteFactory(_store, NullLogger<NginxSiteFactory>.Instance).LoadSettings(App), Is.Null);
    }

    [TestCase("[{\"Server\":\"\",\"Address\":\"127.0.0.1\",\"Po")]
    [TestCase("")]
    [TestCase("\0\0\0\0")]
    public void A_torn_upstreams_json_is_no_backends(string text)
    {
        Directory.CreateDirectory(_store.AppDirectory(App));
        File.WriteAllText(Path.Combine(_store.AppDirectory(App), "upstreams.json"), text);

        Assert.That(new UpstreamRegistry(_store).Backends(App), Is.Empty);
    }

    [TestCase("\0\0\0\0")]
    public void A_state_json_of_zeros_is_rebuilt(string text)
    {
        Directory.CreateDirectory(_store.AppDirectory(App));
        File.WriteAllText(Path.Combine(_store.AppDirectory(App), "state.json"), text);

        Assert.That(_store.Load(App), Is.Null);
    }
}

using System.Net;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Docker;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>State as `ps` and `status` see it: a recorded deployment, the running containers, and one probe each.</summary>
public class AppStateReaderTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 12, 30, 0, TimeSpan.Zero);
    private const int HostPort = 20001;

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

    private static DeployPlan Plan(string path, params int[] expect)
    {
        var check = new HealthCheckPlan { Path = path, TimeoutMilliseconds = 30_000, IntervalMilliseconds = 1_000, Retries = 3 };
        check.Expect.AddRange(expect);
        return new DeployPlan
        {
            App = "myapp", Version = "v1", Image = "myapp:v1", Source = "https://ci:OLD-TOKEN@host/o/r.git",
            Services = { new ServicePlan { Name = "web", Replicas = 1, ContainerPort = 8000, Routed = true, Healthcheck = check } },
        };
    }

    private void Record(DeploymentRecord deployment) => _store.Save(new AppRecord { App = "myapp", Current = deployment, Deployments = [deployment] });

    private static DeploymentRecord Deployed(DeployPlan plan) =>
        new DeploymentRecord { Version = "v1", Image = "", DeployId = "d-1", DeployedAt = At }.WithPlan(plan);

    private static readonly AppContainer Web = new("c0ffee", "myapp-web-v1-1", "myapp", "web", "v1", 1, "running", HostPort, At, "alice", "none", At);

    private async Task<(AppState State, List<Uri> Asked)> ReadAsync(HttpStatusCode answer)
    {
        var asked = new List<Uri>();
        using var http = new HttpClient(new Answering(answer, asked));
        var reader = new AppStateReader(RunningContainers.Of(Web), _store, new Fakes.FakeReverseProxy(), http, NullLogger<AppStateReader>.Instance);
        var reply = await reader.ReadAsync("myapp", CancellationToken.None);
        return (reply.Apps.Single(), asked);
    }

    [Test]
    public async Task A_service_whose_check_expects_302_is_healthy_when_it_answers_302()
    {
        Record(Deployed(Plan("/cgi-bin", 302)));

        var (state, asked) = await ReadAsync(HttpStatusCode.Found);

        Assert.That(state.Containers.Single().Health, Is.EqualTo(HealthState.Healthy), "the deploy called it healthy; ps and status must too");
        Assert.That(asked, Is.EqualTo(new[] { new Uri($"http://127.0.0.1:{HostPort}/cgi-bin") }));
    }

    [Test]
    public async Task A_service_whose_check_expects_302_is_unhealthy_when_it_answers_200()
    {
        Record(Deployed(Plan("/cgi-bin", 302)));

        Assert.That((await ReadAsync(HttpStatusCode.OK)).State.Containers.Single().Health, Is.EqualTo(HealthState.Unhealthy));
    }

    [Test]
    public async Task Without_expect_the_check_wants_200_as_the_deploy_does()
    {
        Record(Deployed(Plan("/health")));

        Assert.That((await ReadAsync(HttpStatusCode.OK)).State.Containers.Single().Health, Is.EqualTo(HealthState.Healthy));
        Assert.That((await ReadAsync(HttpStatusCode.NoContent)).State.Containers.Single().Health, Is.EqualTo(HealthState.Unhealthy),
            "204 is a success, but not the 200 the deploy waited for");
    }

    [Test]
    public async Task The_recorded_source_is_handed_out_without_its_credentials()
    {
        Record(Deployed(Plan("/health")));

        Assert.That((await ReadAsync(HttpStatusCode.OK)).State.Current.Source, Is.EqualTo("https://host/o/r.git"));
    }

    [Test]
    public async Task Current_and_previous_come_as_deployments_and_the_ledgers_outcomes_as_enums()
    {
        var previous = new DeploymentRecord { Version = "v0", Image = "myapp:v0", DeployId = "d-0", DeployedAt = At.AddDays(-1), DeployedBy = "bob",
            CommitMessage = "Add cart", Source = "https://ci:OLD-TOKEN@host/o/r.git" };
        var current = Deployed(Plan("/health"));
        _store.Save(new AppRecord
        {
            App = "myapp", Current = current, Previous = previous, Deployments = [previous, current],
            History =
            [
                new HistoryEntry("d-0", "v0", At.AddDays(-1), 1000, "succeeded", "bob", "Add cart", null),
                new HistoryEntry("d-1", "v1", At, 2000, "succeeded (finished by the restarted agent)", "alice", "", null),
            ],
        });

        var state = (await ReadAsync(HttpStatusCode.OK)).State;

        Assert.That((state.Current.Version, state.Current.DeployedAtUnixMilliseconds), Is.EqualTo(("v1", At.ToUnixTimeMilliseconds())));
        Assert.That((state.Previous.Version, state.Previous.DeployedBy, state.Previous.CommitMessage, state.Previous.Source),
            Is.EqualTo(("v0", "bob", "Add cart", "https://host/o/r.git")), "the previous source without its token too");
        Assert.That(state.History.Select(h => (h.Version, h.Outcome, h.OutcomeDetail)), Is.EqualTo(new[]
        {
            ("v1", Outcome.Succeeded, "finished by the restarted agent"),
            ("v0", Outcome.Succeeded, ""),
        }), "newest first");
    }

    [Test]
    public async Task A_stopped_container_is_stopped_whatever_its_check_would_say()
    {
        Record(Deployed(Plan("/health")));
        var reader = new AppStateReader(RunningContainers.Of(Web with { State = "exited" }), _store, new Fakes.FakeReverseProxy(),
            new HttpClient(new Answering(HttpStatusCode.OK, [])), NullLogger<AppStateReader>.Instance);

        var container = (await reader.ReadAsync("myapp", CancellationToken.None)).Apps.Single().Containers.Single();

        Assert.That((container.Health, container.Status), Is.EqualTo((HealthState.Stopped, "exited")));
    }

    /// <summary>An HTTP server that gives one answer to everything, noting what it was asked.</summary>
    private sealed class Answering(HttpStatusCode status, List<Uri> asked) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            asked.Add(request.RequestUri!);
            var response = new HttpResponseMessage(status) { RequestMessage = request };
            if (status == HttpStatusCode.Found) response.Headers.Location = new Uri("/cgi-bin/", UriKind.Relative);
            return Task.FromResult(response);
        }
    }

    /// <summary>
    /// Docker with the given containers of the app running and no dependencies; nothing else is asked of it here
    /// (a proxy, so the fake does not have to follow every change to the interface).
    /// </summary>
    public class RunningContainers : DispatchProxy
    {
        public static IContainerRuntime Of(params AppContainer[] containers)
        {
            var runtime = Create<IContainerRuntime, RunningContainers>();
            ((RunningContainers)(object)runtime)._containers = containers;
            return runtime;
        }

        private AppContainer[] _containers = [];

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method?.Name switch
        {
            nameof(IContainerRuntime.ListAppContainersAsync) =>
                Task.FromResult<IReadOnlyList<AppContainer>>(_containers.Where(c => args![0] is not string app || c.App == app).ToList()),
            nameof(IContainerRuntime.ListDependenciesAsync) => Task.FromResult<IReadOnlyList<DependencyContainer>>([]),
            _ => throw new NotSupportedException(method?.Name),
        };
    }
}

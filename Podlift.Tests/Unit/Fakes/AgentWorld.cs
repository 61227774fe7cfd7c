using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Health;
using Podlift.Agent.Hooks;
using Podlift.Agent.Plans;
using Podlift.Agent.Plans.Steps;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Tests.Unit.Fakes;

/// <summary>
/// One server as the agent sees it, in memory: a fake Docker and nginx, a real state directory in a temp
/// folder, health checks and hooks that answer as a test says, and the agent's real planners, steps and
/// executor wired over them. A deploy runs in milliseconds, and a test can fail any part of it.
/// </summary>
internal sealed class AgentWorld : IDisposable
{
    private readonly TempDirectory _dir = new();

    public AgentWorld()
    {
        State = new StateStore(_dir.Path);
        Upstreams = new UpstreamRegistry(State);
        Sites = new NginxSiteFactory(State, NullLogger<NginxSiteFactory>.Instance);
        Firewall = new PeerFirewall(Iptables, State, NullLogger<PeerFirewall>.Instance);
        Runner = new ActionRunner(new ContainerSteps(Docker), new HealthStep(Health, Docker), new NetworkSteps(Docker, Firewall),
            new DependencySteps(Docker, new DependencyManager(Docker, TimeSpan.Zero)), new ReleaseStep(new ReleaseRunner(Docker)),
            new ProxySteps(Nginx, Upstreams, Sites, Gate, TimeSpan.FromMilliseconds(200)), new HookStep(new HookRunner(Hooks)), new RecordStep(Docker, State, RequestLog),
            new ReceiptSteps(RequestLog), new VerifyStep(RequestLog, poll: TimeSpan.FromMilliseconds(10)));
    }

    public FakeContainerRuntime Docker { get; } = new();
    public FakeReverseProxy Nginx { get; } = new();
    public FakeHealthChecker Health { get; } = new();
    public FakeHookShell Hooks { get; } = new();
    public FakeProcessRunner Iptables { get; } = new();
    public SwitchGate Gate { get; } = new();
    public FakeRequestLog RequestLog { get; } = new();
    public StateStore State { get; }
    public UpstreamRegistry Upstreams { get; }
    public NginxSiteFactory Sites { get; }
    public PeerFirewall Firewall { get; }
    public PortReservations Ports { get; } = new();
    public ActionRunner Runner { get; }

    /// <summary>Before each action; a test throws here to fail a job, or never returns, as a killed agent would not.</summary>
    public Func<int, PlanAction, Task>? BeforeAction { get; set; }

    public DeployTools Tools() => new(Docker, Nginx, State, Upstreams, Sites,
        new SnapshotReader(Docker, Nginx, State, Ports, _ => true),
        new PlanExecutor(Runner) { BeforeAction = (i, a) => BeforeAction?.Invoke(i, a) ?? Task.CompletedTask });

    public Reconciler Reconciler() => new(Tools(), NullLogger<Reconciler>.Instance);

    /// <summary>Runs a job to its end and returns its events; like the agent's own jobs, it keeps a journal and its plan.</summary>
    public async Task<IReadOnlyList<DeployEvent>> RunAsync(JobSpec job, CancellationToken cancellationToken = default)
    {
        var events = Start(job, out var run, cancellationToken);
        await run;
        events.Complete();
        events.Dispose();
        var all = new List<DeployEvent>();
        await foreach (var e in events.ReadAllAsync(CancellationToken.None)) all.Add(e);
        return all;
    }

    /// <summary>Starts a job and returns at once; <paramref name="run"/> completes with it (or never, for a job a test holds).</summary>
    public JobEvents Start(JobSpec job, out Task run, CancellationToken cancellationToken = default)
    {
        AtomicFile.Write(State.PlanPath(job.Plan.App, job.DeployId), Google.Protobuf.JsonFormatter.Default.Format(job.Plan));
        var events = new JobEvents(job.DeployId, job.Operation, State.JournalPath(job.Plan.App, job.DeployId));
        run = new DeployJob(job, Tools(), new DeployProgress(events)).RunAsync(cancellationToken);
        return events;
    }

    public static JobSpec Deploy(DeployPlan plan) => new(Operation.Deploy, plan, JobSpec.NewDeployId(plan.Version), plan.Hooks ?? new HooksPlan(), null);

    /// <summary>A web app with <paramref name="replicas"/> routed replicas behind nginx, and an image for it on the server.</summary>
    public DeployPlan App(string version, int replicas = 2, string app = "shop")
    {
        Docker.Images.Add($"{app}:{version}");
        var plan = new DeployPlan
        {
            App = app, Version = version, Image = $"{app}:{version}", DeployedBy = "tester", CommitMessage = $"version {version}",
            Proxy = new ProxyPlan { Enabled = true }, DrainMilliseconds = 1000,
        };
        plan.Services.Add(new ServicePlan
        {
            Name = "web", Replicas = replicas, ContainerPort = 8000, Routed = true,
            Healthcheck = new HealthCheckPlan { Path = "/health", TimeoutMilliseconds = 1000, IntervalMilliseconds = 100, Retries = 1, Expect = { 200 } },
        });
        return plan;
    }

    /// <summary>The app's running containers, by version.</summary>
    public IReadOnlyList<string> RunningVersions(string app = "shop") =>
        Docker.Containers.Where(c => c.Running && c.Spec.Labels.GetValueOrDefault(PodliftLabels.App) == app)
            .Select(c => c.Spec.Labels[PodliftLabels.Version]).Distinct().Order().ToList();

    /// <summary>The versions of the running containers nginx routes the app to.</summary>
    public IReadOnlyList<string> RoutedVersions(string app = "shop")
    {
        var ports = Nginx.RoutedBackends(app)?.Select(b => b.Port).ToHashSet() ?? [];
        return Docker.Containers.Where(c => c.Running && ports.Contains(c.Spec.HostPort))
            .Select(c => c.Spec.Labels[PodliftLabels.Version]).Distinct().Order().ToList();
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Health checks that pass, unless a test names a container that fails (or throws).</summary>
internal sealed class FakeHealthChecker : IHealthChecker
{
    public HashSet<string> Failing { get; } = [];
    public List<string> Checked { get; } = [];

    public Task<HealthResult> CheckAsync(string container, string image, ServicePlan service, int hostPort, CancellationToken cancellationToken)
    {
        Checked.Add(container);
        var failing = Failing.Any(container.Contains);
        return Task.FromResult(new HealthResult(!failing, TimeSpan.FromMilliseconds(5), failing ? "GET /health answered 500, expected 200 (1 times)" : ""));
    }
}

/// <summary>Hooks that pass and are recorded; a command a test lists fails with exit 1.</summary>
internal sealed class FakeHookShell : IHookShell
{
    public HashSet<string> Failing { get; } = [];
    public List<string> Ran { get; } = [];

    public Task<ShellRun> RunAsync(string command, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Ran.Add(command);
        return Task.FromResult(new ShellRun(Failing.Contains(command) ? 1 : 0, false, [$"ran {command}"]));
    }
}

/// <summary>nginx's request log of each app, as lines a test writes.</summary>
internal sealed class FakeRequestLog : IRequestLogFile
{
    private readonly Dictionary<string, List<string>> _lines = [];

    public void Served(string app, string upstream, int status = 200, string upstreamStatus = "200") =>
        Lines(app).Add($"{{\"msec\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0:0.000},\"status\":{status},\"upstream\":\"{upstream}\",\"upstream_status\":\"{upstreamStatus}\"}}");

    private List<string> Lines(string app) => _lines.TryGetValue(app, out var lines) ? lines : _lines[app] = [];

    /// <summary>Called before each read: traffic that arrives while a job watches the log.</summary>
    public Action<string>? BeforeRead { get; set; }

    public long Position(string app) => Lines(app).Count;

    public IEnumerable<string> LinesSince(string app, long position)
    {
        BeforeRead?.Invoke(app);
        return Lines(app).Skip((int)position).ToList();
    }
}

internal static class DeployEvents
{
    public static DeployFinished Finished(this IReadOnlyList<DeployEvent> events) => events.Last(e => e.Finished is not null).Finished;

    public static IEnumerable<string> Texts(this IReadOnlyList<DeployEvent> events) =>
        events.Where(e => e.Message is not null).Select(e => e.Message.Text);

    public static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);
}

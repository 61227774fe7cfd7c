using System.Diagnostics;
using System.Reflection;
using Podlift.Agent.Docker;
using Podlift.Agent.Rpc;
using Podlift.Protocol;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>Every Docker call a job makes ends soon once Docker answers no ping, and a call that ran into its own timeout names Docker.</summary>
public class WatchedRuntimeTests
{
    private static readonly DockerWatch.Limits Short = new(
        Quiet: TimeSpan.FromMilliseconds(50), PingWithin: TimeSpan.FromMilliseconds(50), TakeWithin: TimeSpan.FromSeconds(1));

    /// <summary>Watched by their receivers, with their progress (DockerWatchTests); the ping is what the watch itself calls.</summary>
    private static readonly string[] PassedThrough =
        [nameof(IContainerRuntime.PingAsync), nameof(IContainerRuntime.LoadImageAsync), nameof(IContainerRuntime.PullImageAsync)];

    private static IEnumerable<MethodInfo> Guarded() =>
        typeof(IContainerRuntime).GetMethods().Where(m => !PassedThrough.Contains(m.Name)).OrderBy(m => m.Name);

    private static Task Hangs(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    private static Task Answers(CancellationToken cancellationToken) => Task.CompletedTask;

    [TestCaseSource(nameof(Guarded))]
    public void A_call_to_a_Docker_that_answers_no_ping_ends_as_DockerRefused_and_is_cancelled(MethodInfo method)
    {
        var (inner, script) = ScriptedRuntime.Hanging();
        var runtime = new WatchedRuntime(inner, new DockerWatch(Hangs, Short));
        var clock = Stopwatch.StartNew();

        var stopped = Assert.ThrowsAsync<AgentFailure>(() => Call(runtime, method, CancellationToken.None))!;

        Assert.That(stopped.Reason, Is.EqualTo(AgentErrorReason.DockerRefused));
        Assert.That(stopped.Message, Does.StartWith("Docker stopped answering while it ").And.Contain("systemctl status docker"));
        Assert.That(script.Cancelled, Is.EqualTo([method.Name]), "the hanging call is cancelled, so its connection closes");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task A_slow_call_to_a_Docker_that_answers_pings_is_waited_for()
    {
        var (inner, script) = ScriptedRuntime.Create((_, token) => Task.Delay(TimeSpan.FromMilliseconds(400), token));
        var runtime = new WatchedRuntime(inner, new DockerWatch(Answers, Short));

        // a stop that waits out its grace, several quiet periods long, while Docker answers pings
        await runtime.StopAsync("web-1", TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.That(script.Cancelled, Is.Empty);
    }

    /// <summary>Docker.DotNet's own 100 s request timeout is a cancellation no caller asked for: it was read as the agent shutting down.</summary>
    [Test]
    public void A_call_that_runs_into_its_own_timeout_is_DockerRefused_not_a_shutdown()
    {
        // as Docker.DotNet's HttpClient times out: a TaskCanceledException, with no token of the caller's cancelled
        var (inner, _) = ScriptedRuntime.Create((_, _) => Task.FromException(
            new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException())));
        var runtime = new WatchedRuntime(inner, new DockerWatch(Answers, Short));

        var failure = Assert.ThrowsAsync<AgentFailure>(() => runtime.EnsureNetworkAsync("example", CancellationToken.None))!;

        Assert.That(failure.Reason, Is.EqualTo(AgentErrorReason.DockerRefused));
        Assert.That(failure.Message, Does.StartWith("Docker gave no answer in time while it set up the network example").And.Contain("systemctl status docker"));
    }

    [Test]
    public void The_callers_cancellation_stays_a_cancellation()
    {
        var runtime = new WatchedRuntime(ScriptedRuntime.Hanging().Runtime, new DockerWatch(Answers, Short));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.CatchAsync<OperationCanceledException>(() => runtime.ListAppContainersAsync("example", cancel.Token));
    }

    [Test]
    public async Task Calls_that_answer_return_what_Docker_said()
    {
        var fake = new FakeContainerRuntime();
        var runtime = new WatchedRuntime(fake, new DockerWatch(Hangs, Short));

        var id = await runtime.CreateAndStartAsync(new ContainerSpec("example-web-1", "example:v1", new Dictionary<string, string>(), [],
            new Dictionary<string, string> { [PodliftLabels.App] = "example" }, 8000, 18000, "127.0.0.1"), CancellationToken.None);

        Assert.That((await runtime.StatusAsync(id, CancellationToken.None)).Running, Is.True);
    }

    [Test]
    public void Every_method_but_the_load_pull_and_ping_is_guarded()
    {
        Assert.That(Guarded().Count(), Is.EqualTo(typeof(IContainerRuntime).GetMethods().Length - PassedThrough.Length),
            "a method added to IContainerRuntime is guarded by WatchedRuntime unless it is watched with its progress");
    }

    private static Task Call(IContainerRuntime runtime, MethodInfo method, CancellationToken cancellationToken)
    {
        var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(CancellationToken) ? cancellationToken : Default(p.ParameterType)).ToArray();
        return (Task)method.Invoke(runtime, arguments)!;
    }

    private static object? Default(Type type) => type == typeof(string) ? "x"
        : type == typeof(ContainerSpec) ? new ContainerSpec("x", "x", new Dictionary<string, string>(), [], new Dictionary<string, string>(), 0, 0, "")
        : type.IsValueType ? Activator.CreateInstance(type) : null;

    /// <summary>A Docker whose every call does what <see cref="Does"/> says (by the method's name), then answers with a default.</summary>
    public class ScriptedRuntime : DispatchProxy
    {
        private readonly List<string> _cancelled = [];

        public Func<string, CancellationToken, Task> Does { get; private set; } = (_, _) => Task.CompletedTask;

        /// <summary>The calls that were cancelled while they ran.</summary>
        public IReadOnlyList<string> Cancelled { get { lock (_cancelled) return _cancelled.ToList(); } }

        public static (IContainerRuntime Runtime, ScriptedRuntime Script) Create(Func<string, CancellationToken, Task> does)
        {
            var runtime = Create<IContainerRuntime, ScriptedRuntime>();
            var script = (ScriptedRuntime)(object)runtime;
            script.Does = does;
            return (runtime, script);
        }

        public static (IContainerRuntime Runtime, ScriptedRuntime Script) Hanging() => Create((_, token) => Task.Delay(Timeout.Infinite, token));

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            var token = args!.OfType<CancellationToken>().Single();
            var returns = method!.ReturnType;
            var answer = typeof(ScriptedRuntime).GetMethod(nameof(AnswerAsync), BindingFlags.NonPublic | BindingFlags.Instance)!
                .MakeGenericMethod(returns.IsGenericType ? returns.GetGenericArguments()[0] : typeof(bool));
            return answer.Invoke(this, [method.Name, token]);
        }

        private async Task<T?> AnswerAsync<T>(string name, CancellationToken cancellationToken)
        {
            try
            {
                await Does(name, cancellationToken);
                return default;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                lock (_cancelled) _cancelled.Add(name);
                throw;
            }
        }
    }
}

using Grpc.Core;
using Podlift.Cli.Errors;
using Podlift.Cli.Jobs;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class AgentClientTests
{
    /// <summary>An agent that answers every unary call with one error and every stream with some messages, then that error.</summary>
    private sealed class FailingAgent(RpcException error, params object[] streamed) : CallInvoker
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw error;

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            new(Task.FromException<TResponse>(error), Task.FromResult(new Metadata()), () => error.Status, () => error.Trailers, () => { });

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            new(new Responses<TResponse>(streamed.Cast<TResponse>().ToList(), error), Task.FromResult(new Metadata()), () => error.Status, () => error.Trailers, () => { });

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();
    }

    private sealed class Responses<T>(IReadOnlyList<T> messages, RpcException error) : IAsyncStreamReader<T>
    {
        private int _next = -1;

        public T Current => messages[_next];

        public Task<bool> MoveNext(CancellationToken cancellationToken) => ++_next < messages.Count ? Task.FromResult(true) : Task.FromException<bool>(error);
    }

    private static readonly ConsoleOutput Quiet = new(TextWriter.Null, TextWriter.Null, verbose: false);

    private static DeployEvent Started(string deployId) => new() { DeployId = deployId, StepStarted = new StepStarted { Step = DeployStep.Start } };

    [Test]
    public void A_unary_calls_failure_comes_out_as_podlifts_error()
    {
        var client = new AgentClient("10.0.0.1", new FailingAgent(AgentErrors.Exception(AgentErrorReason.NotDeployed, "shop serves nothing through nginx on this server yet")));

        var error = Assert.ThrowsAsync<AgentCallException>(() => client.ApplyProxyAsync(new ApplyProxyRequest { App = "shop" }, CancellationToken.None))!;

        Assert.That(error.Reason, Is.EqualTo(AgentErrorReason.NotDeployed));
        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Validation));
        Assert.That(error.Message, Is.EqualTo("10.0.0.1: shop serves nothing through nginx on this server yet"));
    }

    [Test]
    public void A_streams_failure_comes_out_after_what_came_before_it()
    {
        var client = new AgentClient("10.0.0.1", new FailingAgent(AgentErrors.Exception(AgentErrorReason.ContainerNotFound, "shop has no web containers"),
            new LogLine { Text = "first" }));
        var lines = new List<string>();

        var error = Assert.ThrowsAsync<AgentCallException>(async () =>
        {
            await foreach (var line in client.Logs(new LogsRequest(), CancellationToken.None)) lines.Add(line.Text);
        })!;

        Assert.That(lines, Is.EqualTo(new[] { "first" }));
        Assert.That(error.Reason, Is.EqualTo(AgentErrorReason.ContainerNotFound));
    }

    [Test]
    public void Hello_that_reaches_no_agent_says_to_install_it()
    {
        var client = new AgentClient("10.0.0.1", new FailingAgent(new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel."))));

        var error = Assert.ThrowsAsync<AgentSilentException>(() => client.HelloAsync(CancellationToken.None))!;

        Assert.That(error.Message, Is.EqualTo($"10.0.0.1: no podlift-agent answers on {AgentProtocol.SocketPath}"));
        Assert.That(error.Fix, Does.Contain("podlift agent install"));
    }

    [Test]
    public void Any_other_failed_hello_is_still_a_connection_error()
    {
        var client = new AgentClient("10.0.0.1", new FailingAgent(AgentErrors.Exception(AgentErrorReason.DockerRefused, "Docker refused: permission denied")));

        var error = Assert.ThrowsAsync<ConnectionException>(() => client.GreetAsync(CancellationToken.None))!;

        Assert.That(error.Message, Is.EqualTo("10.0.0.1: Docker refused: permission denied"), "reports and agent install catch connection errors");
    }

    [Test]
    public void A_job_whose_stream_breaks_before_it_ends_goes_on_and_attach_shows_it()
    {
        var client = new AgentClient("10.0.0.1", new FailingAgent(new RpcException(new Status(StatusCode.Internal, "The response ended prematurely")), Started("d-42")));

        var error = Assert.ThrowsAsync<ConnectionException>(() =>
            JobWatcher.WatchAsync("10.0.0.1", client.Deploy(new DeployPlan(), CancellationToken.None), Quiet, "Check logs", CancellationToken.None))!;

        Assert.That(error.Message, Does.Contain("the connection to the agent was lost during the job d-42"));
        Assert.That(error.Fix, Does.Contain("podlift attach"));
    }

    [Test]
    public void A_job_the_agent_refuses_keeps_the_agents_reason_and_exit_code()
    {
        var client = new AgentClient("10.0.0.1", new FailingAgent(AgentErrors.Exception(AgentErrorReason.AppLocked, "a deploy of shop is already running")));

        var error = Assert.ThrowsAsync<AgentCallException>(() =>
            JobWatcher.WatchAsync("10.0.0.1", client.Deploy(new DeployPlan(), CancellationToken.None), Quiet, "Check logs", CancellationToken.None))!;

        Assert.That((error.Reason, error.ExitCode), Is.EqualTo((AgentErrorReason.AppLocked, ExitCode.Deployment)));
        Assert.That(error.Message, Is.EqualTo("10.0.0.1: a deploy of shop is already running"));
    }
}

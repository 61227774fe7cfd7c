using System.Runtime.CompilerServices;
using Grpc.Core;
using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Remote;

/// <summary>
/// One server's agent, every RPC of agent.proto as a typed method. A failed call leaves as the
/// <see cref="AgentCallException"/> it means (<see cref="AgentCallErrors"/>), so nothing above this class handles an
/// RpcException; a call whose token is cancelled ends with an OperationCanceledException. Streams start when first read.
/// </summary>
public sealed class AgentClient(string host, CallInvoker invoker)
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(15);
    private readonly Agent.AgentClient _grpc = new(invoker);

    public string Host => host;

    /// <summary>Hello, checked: an absent agent or one that speaks another protocol is a clear connection error.</summary>
    public async Task<HelloReply> HelloAsync(CancellationToken cancellationToken)
    {
        var reply = await GreetAsync(cancellationToken);
        if (reply.ProtocolVersion != AgentProtocol.Version)
            throw new ConnectionException(
                $"{host}: podlift-agent {reply.AgentVersion} speaks protocol {reply.ProtocolVersion}, this podlift ({CliVersion.Current}) speaks {AgentProtocol.Version}",
                "upgrade it in place with `podlift agent install`");
        return reply;
    }

    /// <summary>Hello, whatever protocol the agent speaks (for reports); any failure is a connection error.</summary>
    public async Task<HelloReply> GreetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await UnaryAsync(new AgentCall("Hello", "the greeting"), () => _grpc.HelloAsync(
                new HelloRequest { ProtocolVersion = AgentProtocol.Version, ClientVersion = CliVersion.Current },
                deadline: DateTime.UtcNow + HelloTimeout, cancellationToken: cancellationToken));
        }
        catch (AgentCallException e) when (e.ConnectionLost)
        {
            throw AgentSilence.NotInstalled(host);
        }
        catch (AgentCallException e)
        {
            throw new ConnectionException(e.Message, e.Fix);
        }
    }

    public Task<ImageStatusReply> ImageStatusAsync(string image, CancellationToken cancellationToken) =>
        UnaryAsync(new AgentCall("ImageStatus", "the image check"),
            () => _grpc.ImageStatusAsync(new ImageStatusRequest { Image = image }, cancellationToken: cancellationToken));

    public Task<MissingLayersReply> MissingLayersAsync(MissingLayersRequest request, CancellationToken cancellationToken) =>
        UnaryAsync(new AgentCall("MissingLayers", "the layer check"), () => _grpc.MissingLayersAsync(request, cancellationToken: cancellationToken));

    /// <summary>A push: the header, then the data, into <see cref="UploadCall{TRequest, TReply}.Requests"/>; the agent answers once it is loaded.</summary>
    public UploadCall<ImageChunk, PushImageReply> PushImage(CancellationToken cancellationToken)
    {
        var call = new AgentCall("PushImage", "the image transfer");
        return new UploadCall<ImageChunk, PushImageReply>(_grpc.PushImage(cancellationToken: cancellationToken), error => Translate(call, error));
    }

    public IAsyncEnumerable<PullProgress> PullImage(PullImageRequest request, CancellationToken cancellationToken) =>
        Stream(new AgentCall("PullImage", "the pull"), () => _grpc.PullImage(request, cancellationToken: cancellationToken), cancellationToken);

    public IAsyncEnumerable<DeployEvent> Deploy(DeployPlan plan, CancellationToken cancellationToken) =>
        Stream(new AgentCall("Deploy", "the deploy"), () => _grpc.Deploy(plan, cancellationToken: cancellationToken), cancellationToken);

    public IAsyncEnumerable<DeployEvent> Rollback(RollbackRequest request, CancellationToken cancellationToken) =>
        Stream(new AgentCall("Rollback", "the rollback"), () => _grpc.Rollback(request, cancellationToken: cancellationToken), cancellationToken);

    public IAsyncEnumerable<DeployEvent> Promote(PromoteRequest request, CancellationToken cancellationToken) =>
        Stream(new AgentCall("Promote", "the promotion"), () => _grpc.Promote(request, cancellationToken: cancellationToken), cancellationToken);

    public IAsyncEnumerable<DeployEvent> Attach(AttachRequest request, CancellationToken cancellationToken) =>
        Stream(new AgentCall("Attach", "attach"), () => _grpc.Attach(request, cancellationToken: cancellationToken), cancellationToken);

    public Task<ConfirmSwitchReply> ConfirmSwitchAsync(ConfirmSwitchRequest request, CancellationToken cancellationToken) =>
        UnaryAsync(new AgentCall("ConfirmSwitch", "the hand-off"), () => _grpc.ConfirmSwitchAsync(request, cancellationToken: cancellationToken));

    public Task<SetUpstreamReply> SetUpstreamAsync(SetUpstreamRequest request, CancellationToken cancellationToken) =>
        UnaryAsync(new AgentCall("SetUpstream", "the upstream switch"), () => _grpc.SetUpstreamAsync(request, cancellationToken: cancellationToken));

    public Task<ApplyProxyReply> ApplyProxyAsync(ApplyProxyRequest request, CancellationToken cancellationToken) =>
        UnaryAsync(new AgentCall("ApplyProxy", "the proxy update"), () => _grpc.ApplyProxyAsync(request, cancellationToken: cancellationToken));

    /// <summary>What runs on the server: every app, or only <paramref name="app"/>.</summary>
    public async Task<IReadOnlyList<AppState>> StateAsync(string? app, CancellationToken cancellationToken) =>
        (await UnaryAsync(new AgentCall("State", "the state query"),
            () => _grpc.StateAsync(new StateRequest { App = app ?? "" }, cancellationToken: cancellationToken))).Apps;

    public IAsyncEnumerable<LogLine> Logs(LogsRequest request, CancellationToken cancellationToken) =>
        Stream(new AgentCall("Logs", "the logs"), () => _grpc.Logs(request, cancellationToken: cancellationToken), cancellationToken);

    /// <summary>An exec: the start message first into <see cref="DuplexCall{TRequest, TResponse}.Requests"/>; output comes back until the exit code.</summary>
    public DuplexCall<ExecInput, ExecOutput> Exec(CancellationToken cancellationToken)
    {
        var call = new AgentCall("Exec", "the command");
        return new DuplexCall<ExecInput, ExecOutput>(_grpc.Exec(cancellationToken: cancellationToken), error => Translate(call, error));
    }

    private AgentCallException Translate(AgentCall call, RpcException error) => AgentCallErrors.Translate(host, call, error);

    private async Task<TReply> UnaryAsync<TReply>(AgentCall call, Func<AsyncUnaryCall<TReply>> start)
    {
        try
        {
            using var unary = start();
            return await unary.ResponseAsync;
        }
        catch (RpcException e)
        {
            throw Translate(call, e);
        }
    }

    private async IAsyncEnumerable<TResponse> Stream<TResponse>(
        AgentCall call, Func<AsyncServerStreamingCall<TResponse>> start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var streaming = start();
        var responses = new TranslatedResponses<TResponse>(streaming.ResponseStream, error => Translate(call, error));
        while (await responses.MoveNext(cancellationToken)) yield return responses.Current;
    }
}

/// <summary>A call that streams requests to the agent and gets one reply (PushImage); both sides' failures translated.</summary>
public sealed class UploadCall<TRequest, TReply>(AsyncClientStreamingCall<TRequest, TReply> call, Func<RpcException, AgentCallException> translate) : IDisposable
{
    public IClientStreamWriter<TRequest> Requests { get; } = new TranslatedRequests<TRequest>(call.RequestStream, translate);

    /// <summary>The agent's answer; when a write failed, its status says why (a refused load, a lost connection).</summary>
    public Task<TReply> Reply { get; } = Translated(call.ResponseAsync, translate);

    private static async Task<TReply> Translated(Task<TReply> reply, Func<RpcException, AgentCallException> translate)
    {
        try
        {
            return await reply;
        }
        catch (RpcException e)
        {
            throw translate(e);
        }
    }

    public void Dispose() => call.Dispose();
}

/// <summary>A call that streams both ways (Exec); both sides' failures translated.</summary>
public sealed class DuplexCall<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, Func<RpcException, AgentCallException> translate) : IDisposable
{
    public IClientStreamWriter<TRequest> Requests { get; } = new TranslatedRequests<TRequest>(call.RequestStream, translate);

    public IAsyncStreamReader<TResponse> Responses { get; } = new TranslatedResponses<TResponse>(call.ResponseStream, translate);

    public void Dispose() => call.Dispose();
}

internal sealed class TranslatedResponses<T>(IAsyncStreamReader<T> inner, Func<RpcException, AgentCallException> translate) : IAsyncStreamReader<T>
{
    public T Current => inner.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        try
        {
            return await inner.MoveNext(cancellationToken);
        }
        catch (RpcException e)
        {
            throw translate(e);
        }
    }
}

internal sealed class TranslatedRequests<T>(IClientStreamWriter<T> inner, Func<RpcException, AgentCallException> translate) : IClientStreamWriter<T>
{
    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        try
        {
            await inner.WriteAsync(message, cancellationToken);
        }
        catch (RpcException e)
        {
            throw translate(e);
        }
    }

    public async Task CompleteAsync()
    {
        try
        {
            await inner.CompleteAsync();
        }
        catch (RpcException e)
        {
            throw translate(e);
        }
    }
}

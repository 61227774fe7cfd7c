using Grpc.Core;
using Grpc.Core.Interceptors;
using Podlift.Protocol;

namespace Podlift.Agent.Rpc.Validation;

/// <summary>
/// Puts every request message through <see cref="RequestValidator"/> before a handler sees it: the one place
/// no RPC can go around. A single request is checked before the handler is called; a streamed one (PushImage,
/// Exec) message by message as the handler reads it, so its header or start message is refused before the
/// handler acts on it. A violation is an <see cref="AgentFailure"/> (InvalidRequest) with the validator's message, which
/// <see cref="ErrorInterceptor"/> (registered before this one) sends to the client.
/// </summary>
public sealed class ValidationInterceptor(ILogger<ValidationInterceptor> log) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Validate(request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Validate(request);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(new ValidatingReader<TRequest>(requestStream, this), context);

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(new ValidatingReader<TRequest>(requestStream, this), responseStream, context);

    private void Validate(object? request)
    {
        if (request is null) return;
        if (RequestValidator.Problem(request) is not { } problem) return;
        log.LogWarning("Refused a {Request}: {Problem}", request.GetType().Name, problem);
        throw new AgentFailure(AgentErrorReason.InvalidRequest, problem);
    }

    private sealed class ValidatingReader<T>(IAsyncStreamReader<T> inner, ValidationInterceptor validation) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken)) return false;
            validation.Validate(inner.Current);
            return true;
        }
    }
}

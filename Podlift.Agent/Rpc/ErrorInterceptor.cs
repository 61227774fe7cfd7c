using Grpc.Core;
using Grpc.Core.Interceptors;
using Podlift.Protocol;

namespace Podlift.Agent.Rpc;

/// <summary>
/// The one place the agent's failures become gRPC errors: an exception of any handler that <see cref="AgentErrorMap"/>
/// knows leaves as its reason's status, its message, and the reason in the trailer (<see cref="AgentErrors"/>), which
/// the CLI reads to know what happened. Anything else passes through as it is. Registered first, so it also sees what
/// <see cref="Validation.ValidationInterceptor"/> refuses.
/// </summary>
public sealed class ErrorInterceptor(ILogger<ErrorInterceptor> log) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (AgentErrorMap.For(e) is { } error)
        {
            throw Reported(context, error);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (AgentErrorMap.For(e) is { } error)
        {
            throw Reported(context, error);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (AgentErrorMap.For(e) is { } error)
        {
            throw Reported(context, error);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (AgentErrorMap.For(e) is { } error)
        {
            throw Reported(context, error);
        }
    }

    private RpcException Reported(ServerCallContext? context, AgentError error)
    {
        log.LogInformation("{Method} refused ({Reason}): {Message}", context?.Method, AgentErrors.Name(error.Reason), error.Message);
        return AgentErrors.Exception(error.Reason, error.Message);
    }
}

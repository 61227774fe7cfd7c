using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;

namespace Podlift.Cli.Remote;

/// <summary>The HTTP/2 channel to one agent through the local end of the SSH-forwarded unix socket; <see cref="AgentClient"/> calls over it.</summary>
public sealed class AgentChannel : IDisposable
{
    private readonly GrpcChannel _channel;

    public AgentChannel(string localSocket)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(localSocket), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        _channel = GrpcChannel.ForAddress("http://podlift-agent", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxSendMessageSize = 8 << 20,
            MaxReceiveMessageSize = 8 << 20,
            ThrowOperationCanceledOnCancellation = true, // a call we cancel (Ctrl-C) is that, not a failure of the agent's
        });
    }

    public CallInvoker Invoker => _channel.CreateCallInvoker();

    public void Dispose() => _channel.Dispose();
}

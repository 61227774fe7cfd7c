using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Remote;

/// <summary>A gRPC channel to one agent through the local end of the SSH-forwarded unix socket.</summary>
public sealed class AgentChannel : IDisposable
{
    private readonly GrpcChannel _channel;

    public AgentChannel(string host, string localSocket)
    {
        Host = host;
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
        });
        Client = new Agent.AgentClient(_channel);
    }

    public string Host { get; }

    public Agent.AgentClient Client { get; }

    /// <summary>Hello, checked: an absent agent or one that speaks another protocol is a clear connection error.</summary>
    public async Task<HelloReply> HelloAsync(CancellationToken cancellationToken)
    {
        var reply = await GreetAsync(cancellationToken);
        if (reply.ProtocolVersion != AgentProtocol.Version)
            throw new ConnectionException(
                $"{Host}: podlift-agent {reply.AgentVersion} speaks protocol {reply.ProtocolVersion}, this podlift ({CliVersion.Current}) speaks {AgentProtocol.Version}",
                "upgrade it in place with `podlift agent install`");
        return reply;
    }

    /// <summary>Hello, whatever protocol the agent speaks (for reports); an absent agent is a connection error.</summary>
    public async Task<HelloReply> GreetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Client.HelloAsync(new HelloRequest { ProtocolVersion = AgentProtocol.Version, ClientVersion = CliVersion.Current },
                deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.DeadlineExceeded)
        {
            throw new ConnectionException($"{Host}: no podlift-agent answers on {AgentProtocol.SocketPath}",
                "install it with `podlift agent install`");
        }
    }

    public void Dispose() => _channel.Dispose();
}

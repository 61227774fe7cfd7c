using System.Net;
using System.Net.Sockets;

namespace Podlift.Testing;

/// <summary>
/// The local Docker's unix socket offered on a 127.0.0.1 TCP port, for a test that needs a Docker reached over TCP
/// (DOCKER_HOST=<see cref="DockerHost"/>), as a Docker in a VM or on another machine is. Each connection is relayed
/// byte for byte; disposing stops listening and ends the relays.
/// </summary>
public sealed class DockerOverTcp : IAsyncDisposable
{
    private const string Socket = "/var/run/docker.sock";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public DockerOverTcp()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string DockerHost => $"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = RelayAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var docker = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await docker.ConnectAsync(new UnixDomainSocketEndPoint(Socket), _stop.Token);
                await using var dockerStream = new NetworkStream(docker, ownsSocket: false);
                var clientStream = client.GetStream();
                var up = PumpAsync(clientStream, dockerStream, docker);
                var down = PumpAsync(dockerStream, clientStream, client.Client);
                await Task.WhenAll(up, down);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException) { }
        }
    }

    /// <summary>Copies until the source ends, then tells the other side that nothing more comes.</summary>
    private async Task PumpAsync(Stream from, Stream to, System.Net.Sockets.Socket toSocket)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

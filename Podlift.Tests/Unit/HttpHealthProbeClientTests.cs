using System.Net;
using System.Net.Sockets;
using System.Text;
using Podlift.Agent.Health;

namespace Podlift.Tests.Unit;

/// <summary>The agent's health-check client, against a real loopback server: a 302 is the answer, not a hop.</summary>
public class HttpHealthProbeClientTests
{
    [Test]
    public async Task A_redirect_is_reported_not_followed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var served = ServeAsync(listener);
        using var http = HttpHealthProbe.CreateClient();

        using var response = await http.GetAsync($"http://127.0.0.1:{port}/cgi-bin");

        Assert.That((int)response.StatusCode, Is.EqualTo(302), "following it would turn the 302 into the target's 200");
        listener.Stop();
        Assert.That(await served, Is.EqualTo(new[] { "GET /cgi-bin HTTP/1.1" }));
    }

    /// <summary>Answers /cgi-bin with a redirect to /target and anything else with 200, until stopped; returns the request lines.</summary>
    private static async Task<List<string>> ServeAsync(TcpListener listener)
    {
        var requests = new List<string>();
        try
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
                await using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync() ?? "";
                while (await reader.ReadLineAsync() is { Length: > 0 }) { }
                requests.Add(requestLine);
                var answer = requestLine.Contains("/cgi-bin")
                    ? "HTTP/1.1 302 Found\r\nLocation: /target\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return requests;
        }
    }
}

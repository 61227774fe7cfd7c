using System.Net;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;
using Podlift.Testing;

namespace Podlift.Tests.Unit;

/// <summary>
/// The write load sends as a browser does: a POST whose reused keep-alive connection closes before any answer (what
/// nginx does to its idle connections at a reload) is sent once more; one whose fresh connection closes is a failure.
/// Against a loopback HTTP server that closes the connection it is told to.
/// </summary>
public class LoadGeneratorWritesTests
{
    [Test]
    public async Task A_write_whose_reused_connection_closes_unanswered_is_sent_again_once_and_not_failed()
    {
        await using var server = new ClosingServer(closeUnanswered: (connection, request) => connection == 1 && request == 2);

        var report = await WriteForAWhileAsync(server);

        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(report.Resent, Is.EqualTo(1), report.ToString());
        Assert.That(report.Sent, Is.GreaterThan(3), "the worker went on after the resend");
        Assert.That(report.Bodies.Values.Sum(), Is.EqualTo(server.Answered), "every answered write acknowledged, none twice");
    }

    [Test]
    public async Task A_write_whose_new_connection_closes_unanswered_is_a_failure_and_not_sent_again()
    {
        await using var server = new ClosingServer(closeUnanswered: (connection, request) => connection == 1 && request == 1);

        var report = await WriteForAWhileAsync(server);

        Assert.That(report.Failed, Is.EqualTo(1), report.ToString());
        Assert.That(report.Resent, Is.EqualTo(0), report.ToString());
        Assert.That(report.Bodies.Values.Sum(), Is.EqualTo(server.Answered));
    }

    private static async Task<LoadReport> WriteForAWhileAsync(ClosingServer server)
    {
        await using var writes = LoadGenerator.StartWrites(server.Url, workers: 1, pauseMilliseconds: 10);
        await server.WaitForAnswersAsync(6, TimeSpan.FromSeconds(10));
        return await writes.StopAsync();
    }

    /// <summary>HTTP/1.1 with keep-alive on loopback: answers 201 with an id, or closes the connection unanswered when told to.</summary>
    private sealed class ClosingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Func<int, int, bool> _closeUnanswered;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _connections;
        private int _answered;

        public ClosingServer(Func<int, int, bool> closeUnanswered)
        {
            _closeUnanswered = closeUnanswered;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/write");

        public int Answered => Volatile.Read(ref _answered);

        public async Task WaitForAnswersAsync(int count, TimeSpan bound)
        {
            var deadline = DateTime.UtcNow + bound;
            while (Answered < count && DateTime.UtcNow < deadline) await Task.Delay(10);
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = ServeAsync(client, Interlocked.Increment(ref _connections));
                }
            }
            catch (OperationCanceledException) { }
        }

        private async Task ServeAsync(TcpClient client, int connection)
        {
            using (client)
            {
                var stream = client.GetStream();
                try
                {
                    for (var request = 1; await ReadRequestAsync(stream); request++)
                    {
                        if (_closeUnanswered(connection, request))
                        {
                            client.Client.Close(0);
                            return;
                        }
                        var id = Interlocked.Increment(ref _answered).ToString(System.Globalization.CultureInfo.InvariantCulture);
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 201 Created\r\nContent-Length: {id.Length}\r\n\r\n{id}"), _stop.Token);
                    }
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
            }
        }

        /// <summary>Reads one request's head and body; false when the client closed the connection.</summary>
        private async Task<bool> ReadRequestAsync(NetworkStream stream)
        {
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one, _stop.Token) == 0) return false;
                head.Append((char)one[0]);
            }
            var length = head.ToString().Split("\r\n")
                .Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                .Select(line => int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
                .FirstOrDefault();
            var body = new byte[length];
            for (var read = 0; read < length;)
            {
                var n = await stream.ReadAsync(body.AsMemory(read), _stop.Token);
                if (n == 0) return false;
                read += n;
            }
            return true;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Podlift.Testing;

/// <summary>
/// A webhook on 127.0.0.1 that keeps what it was posted, answering each request after <see cref="Delay"/> with
/// <see cref="Status"/>: the receiving end of notify: for the tests.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<Received> _received = [];
    private readonly CancellationTokenSource _stopped = new();

    public sealed record Received(string Method, string Path, string ContentType, string Body);

    public WebhookReceiver()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(AnswerAsync);
    }

    public int Port { get; }

    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>A URL of this receiver: http://127.0.0.1:port/path.</summary>
    public string Url(string path) => $"http://127.0.0.1:{Port}/{path.TrimStart('/')}";

    public IReadOnlyList<Received> Requests
    {
        get { lock (_received) return _received.ToList(); }
    }

    /// <summary>A port nothing listens on (for a refused connection).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AnswerAsync()
    {
        while (!_stopped.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (_stopped.IsCancellationRequested || !_listener.IsListening) { return; }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, context.Request.ContentEncoding);
        var body = await reader.ReadToEndAsync();
        lock (_received) _received.Add(new Received(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", body));
        try
        {
            await Task.Delay(Delay, _stopped.Token);
            context.Response.StatusCode = (int)Status;
            context.Response.Close();
        }
        catch (Exception) { /* the test is over, or the client gave up */ }
    }

    public void Dispose()
    {
        _stopped.Cancel();
        _listener.Close();
        _stopped.Dispose();
    }
}

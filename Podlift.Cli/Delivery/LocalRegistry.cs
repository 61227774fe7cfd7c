using System.Net;
using System.Net.Sockets;

namespace Podlift.Cli.Delivery;

/// <summary>
/// A <see cref="PushReceiver"/> listening on 127.0.0.1, for the length of one push. Docker pushes to a
/// loopback registry over plain HTTP without being configured to (127.0.0.0/8 is always an insecure
/// registry to it). The port is the same on every run where it can be, so Docker's record of what it pushed
/// where does not grow with every deploy.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly PushReceiver _receiver;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private LocalRegistry(HttpListener listener, int port, PushReceiver receiver)
    {
        _listener = listener;
        _receiver = receiver;
        Address = $"127.0.0.1:{port}";
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>host:port, as an image reference names a registry.</summary>
    public string Address { get; }

    /// <param name="preferredPort">Tried first; if it is taken, any free port.</param>
    public static LocalRegistry Start(PushReceiver receiver, int preferredPort)
    {
        foreach (var port in new[] { preferredPort }.Concat(Enumerable.Range(0, 8).Select(_ => FreePort())))
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new LocalRegistry(listener, port, receiver);
            }
            catch (HttpListenerException)
            {
                listener.Close(); // taken meanwhile: the next one
            }
        }
        throw new IOException("no free port on 127.0.0.1 for the push");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        var requests = new List<Task>();
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break; // stopped
            }
            requests.RemoveAll(r => r.IsCompleted);
            requests.Add(Task.Run(() => AnswerAsync(context)));
        }
        await Task.WhenAll(requests);
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var (request, response) = (context.Request, context.Response);
        try
        {
            var answer = await _receiver.HandleAsync(
                new RegistryRequest(request.HttpMethod, request.Url!.AbsolutePath, request.QueryString["digest"], request.InputStream), _stop.Token);
            response.StatusCode = answer.Status;
            foreach (var (name, value) in answer.Headers) response.Headers[name] = value;
            response.ContentLength64 = answer.ContentLength ?? answer.Body.Length;
            if (request.HttpMethod != "HEAD" && answer.Body.Length > 0) await response.OutputStream.WriteAsync(answer.Body, _stop.Token);
            response.Close();
        }
        catch (Exception)
        {
            response.Abort(); // the pusher sees a broken request and says so; the push then fails and the image goes another way
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _serving;
        _stop.Dispose();
    }
}

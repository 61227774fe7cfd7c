using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;

namespace Podlift.Testing;

/// <summary>One answer: when its request left and when the answer came, from the generator's start.</summary>
public sealed record Answer(TimeSpan Sent, TimeSpan Answered, string Body);

public sealed record LoadReport(int Sent, int Failed, TimeSpan Duration, IReadOnlyDictionary<string, int> Bodies, IReadOnlyList<string> Failures)
{
    /// <summary>Every answer in the order they came (the first <see cref="LoadGenerator.MaxAnswersKept"/>).</summary>
    public IReadOnlyList<Answer> Answers { get; init; } = [];

    /// <summary>
    /// How long clients saw the old and the new version side by side: from the first answer of the new one to the
    /// sending of the last request the old one answered. Zero: every old answer was asked for before the first new one came.
    /// </summary>
    public TimeSpan Interleaving(Func<string, bool> isOld, Func<string, bool> isNew)
    {
        var firstNew = Answers.Where(a => isNew(a.Body)).Select(a => a.Answered).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        var lastOld = Answers.Where(a => isOld(a.Body)).Select(a => a.Sent).DefaultIfEmpty(TimeSpan.Zero).Max();
        return firstNew == TimeSpan.MaxValue || lastOld < firstNew ? TimeSpan.Zero : lastOld - firstNew;
    }

    public double RequestsPerSecond => Sent / Math.Max(Duration.TotalSeconds, 0.001);

    /// <summary>Requests sent a second time, as a browser does, after the reused connection they went on closed before any answer.</summary>
    public int Resent { get; init; }

    /// <summary>The share of the requests sent that were answered with <paramref name="body"/> (a canary's version).</summary>
    public double ShareOf(string body) => (double)Bodies.GetValueOrDefault(body) / Math.Max(Sent, 1);

    public override string ToString() =>
        $"{Sent} requests in {Duration.TotalSeconds:0.0}s ({RequestsPerSecond:0}/s), {Failed} failed" +
        (Failures.Count > 0 ? $" (first at {Failures[0]})" : "") +
        (Resent > 0 ? $", {Resent} sent again on a new connection after a reused one closed unanswered" : "") + "; answers: " +
        (Bodies.Count > 12 ? $"{Bodies.Count} distinct" : string.Join(", ", Bodies.Select(b => $"{b.Key}×{b.Value}")));
}

/// <summary>
/// Sends a steady stream of requests (GETs, or writes; keep-alive, like real clients) and counts every
/// failure: an exception, a timeout, or any status but the expected one. Bounded in time; loopback only.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(3);
    private readonly CancellationTokenSource _stop = new(MaxDuration);
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, int> _bodies = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<Answer> _answers = new();
    public const int MaxAnswersKept = 200_000;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task[] _workers;
    private int _sent;
    private int _failed;
    private int _resent;
    private volatile bool _stopping;

    private readonly Func<Uri, HttpRequestMessage> _request;
    private readonly System.Net.HttpStatusCode _expected;
    private readonly bool _resendsAsBrowsers;

    private LoadGenerator(Uri target, int workers, TimeSpan pause, HttpMessageHandler? handler = null,
        Func<Uri, HttpRequestMessage>? request = null, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK,
        bool resendsAsBrowsers = false)
    {
        _resendsAsBrowsers = resendsAsBrowsers;
        if (!target.IsLoopback && handler is not SocketsHttpHandler { ConnectCallback: not null })
            throw new ArgumentException("load tests send traffic to loopback only", nameof(target));
        _request = request ?? (uri => new HttpRequestMessage(HttpMethod.Get, uri));
        _expected = expected;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromSeconds(5) };
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(target, pause))).ToArray();
    }

    /// <summary>About workers / pause requests per second, plus response time.</summary>
    public static LoadGenerator Start(Uri target, int workers = 6, int pauseMilliseconds = 40) => new(target, workers, TimeSpan.FromMilliseconds(pauseMilliseconds));

    /// <summary>
    /// Every request as from a fresh client: no cookie is kept or sent (the others keep the cookies they are given, as one
    /// browser would), so a canary splits these requests by its share.
    /// </summary>
    public static LoadGenerator StartFreshClients(Uri target, int workers = 6, int pauseMilliseconds = 40) =>
        new(target, workers, TimeSpan.FromMilliseconds(pauseMilliseconds), new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), UseCookies = false });

    /// <summary>Fresh clients' requests for <paramref name="duration"/>: what a canary's split gives them.</summary>
    public static async Task<LoadReport> FreshClientsForAsync(Uri target, TimeSpan duration)
    {
        await using var load = StartFreshClients(target);
        await Task.Delay(duration);
        return await load.StopAsync();
    }

    /// <summary>GETs sent with another Host header (a site with a domain), still to the loopback endpoint.</summary>
    public static LoadGenerator StartForHost(Uri target, string host, int workers = 4, int pauseMilliseconds = 40) =>
        new(target, workers, TimeSpan.FromMilliseconds(pauseMilliseconds), request: uri => new HttpRequestMessage(HttpMethod.Get, uri) { Headers = { Host = host } });

    /// <summary>
    /// Writes: POSTs whose answer must be 201 Created. Every 201 is an acknowledged write (its body, the
    /// new row's id, is kept), so a test can compare what was acknowledged with what was stored. Each worker
    /// sends as a browser does (<see cref="BrowserConnection"/>): a POST whose reused keep-alive connection
    /// closed before any answer is sent once more, on a new connection, and counted in <see cref="LoadReport.Resent"/>;
    /// the stored rows then show whether any write was applied twice.
    /// </summary>
    public static LoadGenerator StartWrites(Uri target, int workers = 3, int pauseMilliseconds = 60) =>
        new(target, workers, TimeSpan.FromMilliseconds(pauseMilliseconds),
            request: uri => new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent($"write at {DateTime.UtcNow:O}") },
            expected: System.Net.HttpStatusCode.Created, resendsAsBrowsers: true);

    /// <summary>Answers with the expected status, by body (for writes: the ids acknowledged).</summary>
    public int Acknowledged => _bodies.Values.Sum();

    /// <summary>HTTPS to <paramref name="hostName"/> (SNI and Host), connecting to a loopback endpoint, trusting only <paramref name="root"/>.</summary>
    public static LoadGenerator StartTls(Uri loopback, string hostName, X509Certificate2 root, string path, int workers = 6, int pauseMilliseconds = 40) =>
        new(new Uri($"https://{hostName}:{loopback.Port}{path}"), workers, TimeSpan.FromMilliseconds(pauseMilliseconds), TlsHandler(loopback, root));

    /// <summary>A handler whose every connection goes to <paramref name="loopback"/> (whatever the URL's host) and whose certificates must chain to <paramref name="root"/>.</summary>
    public static SocketsHttpHandler TlsHandler(Uri loopback, X509Certificate2 root)
    {
        if (!loopback.IsLoopback) throw new ArgumentException("load tests send traffic to loopback only", nameof(loopback));
        return new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, loopback.Port, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (certificate is null || chain is null) return false;
                    if ((errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false; // name mismatch: refuse
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Clear();
                    chain.ChainPolicy.CustomTrustStore.Add(root);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
    }

    private async Task WorkAsync(Uri target, TimeSpan pause)
    {
        using var own = _resendsAsBrowsers ? new BrowserConnection() : null;
        while (!_stopping && !_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _sent);
            var sentAt = _clock.Elapsed;
            try
            {
                using var response = own is null ? await SendAsync(_http, target) : await SendAsBrowserAsync(own, target);
                var body = (await response.Content.ReadAsStringAsync(_stop.Token)).Trim();
                if (response.StatusCode != _expected) Fail($"{(int)response.StatusCode} {body.Split('\n')[0]}");
                else
                {
                    _bodies.AddOrUpdate(body, 1, (_, n) => n + 1);
                    if (_answers.Count < MaxAnswersKept) _answers.Enqueue(new Answer(sentAt, _clock.Elapsed, body));
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                Interlocked.Decrement(ref _sent); // stopped mid-request by the test, not failed by the server
                return;
            }
            catch (Exception e)
            {
                Fail(e.GetBaseException().Message);
            }
            if (_stopping) return;
            try { await Task.Delay(pause, _stop.Token); } catch (OperationCanceledException) { return; }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri target, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = _request(target);
        return await http.SendAsync(request, completion, _stop.Token);
    }

    /// <summary>
    /// The request on the worker's own connection; sent again on a new one when the connection it went on had
    /// answered before and closed before any answer to it. Only the headers are awaited here, so a request that
    /// was answered (even if its body then broke off) is never sent twice.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsBrowserAsync(BrowserConnection own, Uri target)
    {
        var opened = own.Opened;
        try
        {
            return await SendAsync(own.Http, target, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (HttpRequestException e) when (opened > 0 && own.Opened == opened && !_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _resent);
            HarnessLog.Write($"load: at {_clock.Elapsed.TotalSeconds:0.00}s a reused connection closed unanswered ({e.GetBaseException().Message}): sent again");
            return await SendAsync(own.Http, target, HttpCompletionOption.ResponseHeadersRead);
        }
    }

    /// <summary>
    /// A worker's own keep-alive connection (one at a time), counting the connections it opened, so the worker knows
    /// whether a request went on a connection that had answered before. nginx closes the keep-alive connections idle
    /// at a reload, so a request sent at that instant is never read; a browser then sends it again, whatever its method
    /// (Chromium's HttpNetworkTransaction::ShouldResendRequest: a reused connection, no answer yet). .NET's
    /// HttpClient does so itself only for idempotent methods, not for a POST.
    /// </summary>
    private sealed class BrowserConnection : IDisposable
    {
        private int _opened;

        public BrowserConnection()
        {
            Http = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
                MaxConnectionsPerServer = 1,
                ConnectCallback = async (context, cancellationToken) =>
                {
                    Interlocked.Increment(ref _opened);
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            }) { Timeout = TimeSpan.FromSeconds(5) };
        }

        public HttpClient Http { get; }

        public int Opened => Volatile.Read(ref _opened);

        public void Dispose() => Http.Dispose();
    }

    private void Fail(string why)
    {
        Interlocked.Increment(ref _failed);
        if (_failures.Count < 20) _failures.Enqueue($"{_clock.Elapsed.TotalSeconds:0.00}s {why}");
    }

    /// <summary>No new request is sent; those in flight are answered (a write then is acknowledged or failed, never left unknown).</summary>
    public async Task<LoadReport> StopAsync()
    {
        _stopping = true;
        try { await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(15)); }
        catch (TimeoutException) { }
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        var report = new LoadReport(_sent, _failed, _clock.Elapsed, new Dictionary<string, int>(_bodies), _failures.ToList()) { Answers = _answers.ToList(), Resent = _resent };
        HarnessLog.Write($"load: {report}");
        foreach (var failure in report.Failures) HarnessLog.Write($"  failure at {failure}");
        return report;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping) await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }
}

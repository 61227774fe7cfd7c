using System.Net.Http.Headers;
using System.Text;
using Podlift.Cli.Output;

namespace Podlift.Cli.Notifications;

/// <summary>
/// Posts an event to every notify: URL at once, as the JSON --json writes ({"event": "deploy_started", ...}). A webhook
/// that is down, slow or refuses the event costs at most <see cref="Timeout"/> and a warning: it never fails the
/// command. The URLs are only ever shown masked (<see cref="WebhookUrl"/>).
/// </summary>
public sealed class Notifier : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<Uri> _urls;
    private readonly ConsoleOutput _output;
    private readonly HttpClient? _client;

    public Notifier(IReadOnlyList<Uri> urls, ConsoleOutput output, TimeSpan? timeout = null)
    {
        (_urls, _output) = (urls, output);
        Timeout = timeout ?? DefaultTimeout;
        if (urls.Count > 0) _client = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>How long a webhook has to answer each event.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Sends the event to every URL and returns once each answered, failed or ran out of time. Never throws.</summary>
    public Task SendAsync(string kind, IEnumerable<(string Name, object? Value)> fields)
    {
        if (_client is null) return Task.CompletedTask;
        var body = JsonEvents.Serialize(kind, fields);
        return Task.WhenAll(_urls.Select(url => PostAsync(_client, url, kind, body)));
    }

    private async Task PostAsync(HttpClient client, Uri url, string kind, string body)
    {
        var shown = WebhookUrl.Masked(url);
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            if (url.UserInfo.Length > 0) request.Headers.Authorization = BasicAuth(url);
            using var response = await client.SendAsync(request, timeout.Token);
            if (response.IsSuccessStatusCode) _output.Detail($"notified {shown}: {kind}");
            else NotDelivered(shown, kind, $"it answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            NotDelivered(shown, kind, $"no answer within {Format.Duration(Timeout)}");
        }
        catch (Exception e) // whatever went wrong, a notification never fails the deploy it reports on
        {
            NotDelivered(shown, kind, WebhookUrl.Redact(Innermost(e).Message, _urls));
        }
    }

    private void NotDelivered(string url, string kind, string why) => _output.Warn($"notify {url}: {kind} not delivered: {why} (the command goes on)");

    /// <summary>https://user:password@host/...: HttpClient sends no user info by itself.</summary>
    private static AuthenticationHeaderValue BasicAuth(Uri url) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url.UserInfo))));

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    public void Dispose() => _client?.Dispose();
}

using System.Globalization;
using System.Text.Json;

namespace Podlift.Agent.Proxy;

/// <summary>One request as the app's nginx site logged it (the site's log_format): when, its status, the upstream attempts.</summary>
public sealed record RequestLogEntry(double UnixSeconds, int Status, IReadOnlyList<string> Upstreams, IReadOnlyList<string> UpstreamStatuses);

/// <summary>What one backend group served in a window.</summary>
public sealed record BackendCount(string Version, long Requests, long ServerErrors);

/// <summary>A switch window's receipt: every request the site answered in it, by who answered.</summary>
public sealed record TrafficReceipt(TimeSpan Window, long Requests, long ServerErrors, long FailedAttempts, IReadOnlyList<BackendCount> Backends)
{
    public Podlift.Protocol.SwitchReceipt ToProto()
    {
        var receipt = new Podlift.Protocol.SwitchReceipt
        {
            WindowMilliseconds = (long)Window.TotalMilliseconds, Requests = Requests, ServerErrors = ServerErrors, FailedAttempts = FailedAttempts,
        };
        receipt.Traffic.AddRange(Backends.Select(b => new Podlift.Protocol.BackendTraffic { Version = b.Version, Requests = b.Requests, ServerErrors = b.ServerErrors }));
        return receipt;
    }
}

/// <summary>
/// nginx's per-app request log (one JSON object a line), read back: the counts of a switch window come from
/// what nginx itself saw, not from a test's load generator. Parsing and counting are pure.
/// </summary>
public static class RequestLog
{
    /// <summary>Beside nginx's own logs: Debian's logrotate rotates /var/log/nginx/*.log.</summary>
    public static string PathFor(string app) => $"/var/log/nginx/podlift-{app}.access.log";

    /// <summary>Requests nginx answered itself (a redirect to HTTPS, an ACME challenge) carry no upstream.</summary>
    public const string NginxItself = "nginx";

    public static RequestLogEntry? Parse(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            return new RequestLogEntry(root.GetProperty("msec").GetDouble(), root.GetProperty("status").GetInt32(),
                Split(root.GetProperty("upstream").GetString()), Split(root.GetProperty("upstream_status").GetString()));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null; // a line cut by a crash or a rotation, or not ours
        }
    }

    /// <summary>$upstream_addr lists attempts as "a, b", and internal redirects as "a : b".</summary>
    private static IReadOnlyList<string> Split(string? value) =>
        string.IsNullOrEmpty(value) || value == "-" ? [] : value.Split([", ", " : "], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <param name="versionOf">The version that answers at an upstream address (host:port); null for any other server's.</param>
    public static TrafficReceipt Count(IEnumerable<RequestLogEntry> entries, DateTimeOffset from, DateTimeOffset to, Func<string, string?> versionOf)
    {
        var (start, end) = (from.ToUnixTimeMilliseconds() / 1000.0, to.ToUnixTimeMilliseconds() / 1000.0);
        long requests = 0, errors = 0, failedAttempts = 0;
        var backends = new Dictionary<string, (long Requests, long Errors)>();
        foreach (var entry in entries.Where(e => e.UnixSeconds >= start && e.UnixSeconds <= end))
        {
            requests++;
            var error = entry.Status >= 500;
            if (error) errors++;
            failedAttempts += Math.Max(0, entry.UpstreamStatuses.Count - 1);
            var who = entry.Upstreams.Count == 0 ? NginxItself : versionOf(entry.Upstreams[^1]) ?? "other servers";
            var (r, e) = backends.GetValueOrDefault(who);
            backends[who] = (r + 1, e + (error ? 1 : 0));
        }
        return new TrafficReceipt(to - from, requests, errors, failedAttempts,
            backends.OrderByDescending(b => b.Value.Requests).Select(b => new BackendCount(b.Key, b.Value.Requests, b.Value.Errors)).ToList());
    }

    public static string Describe(Podlift.Protocol.SwitchReceipt receipt)
    {
        var window = TimeSpan.FromMilliseconds(receipt.WindowMilliseconds).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var by = receipt.Traffic.Count > 0 ? $" ({string.Join(", ", receipt.Traffic.Select(t => $"{t.Version} {t.Requests}"))})" : "";
        var requests = receipt.Requests == 1 ? "1 request" : $"{receipt.Requests} requests";
        return $"switch window {window} s: {requests}{by}, {receipt.ServerErrors} errors, {receipt.FailedAttempts} failed upstream attempts";
    }
}

/// <summary>The request log of a site on this server: where it ends now, and the lines written since.</summary>
public interface IRequestLogFile
{
    long Position(string app);
    IEnumerable<string> LinesSince(string app, long position);
}

public sealed class RequestLogFile(Func<string, string>? pathFor = null) : IRequestLogFile
{
    private readonly Func<string, string> _pathFor = pathFor ?? RequestLog.PathFor;

    public long Position(string app)
    {
        var file = new FileInfo(_pathFor(app));
        return file.Exists ? file.Length : 0;
    }

    public IEnumerable<string> LinesSince(string app, long position)
    {
        var path = _pathFor(app);
        if (!File.Exists(path)) yield break;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        // rotated since (the file is shorter than where the window began): read it from its start
        stream.Position = position <= stream.Length ? position : 0;
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line) yield return line;
    }
}

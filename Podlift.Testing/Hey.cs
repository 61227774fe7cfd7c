using System.Text.RegularExpressions;

namespace Podlift.Testing;

public sealed record HeyReport(long Responses, long Non2xx, long Errors, int Runs)
{
    public long Failed => Non2xx + Errors;

    public override string ToString() => $"hey: {Responses} responses in {Runs} runs, {Non2xx} not 2xx/3xx, {Errors} errors";
}

/// <summary>
/// A third-party load generator (Debian's hey, Go's HTTP client with keep-alive) next to the project's
/// own: back-to-back short runs until stopped, so it covers an operation of unknown length. Every answer
/// that is not 2xx/3xx and every error counts as failed. Loopback only.
/// </summary>
/// <remarks>
/// Not wrk: at an nginx reload, the old workers close their idle keep-alive connections, and a client
/// that sent its next request on one at that instant sees the connection reset. HTTP clients retry such
/// a request (RFC 9112 §9.3.1: browsers, Go, .NET, curl); wrk does not, and counted 1 in 44,322.
/// </remarks>
public sealed partial class Hey : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(5));
    private readonly Task<HeyReport> _running;

    private Hey(Uri target, string? hostHeader)
    {
        if (!target.IsLoopback) throw new ArgumentException("load tests send traffic to loopback only", nameof(target));
        _running = Task.Run(() => LoopAsync(target, hostHeader));
    }

    public static Hey Start(Uri target, string? hostHeader = null) => new(target, hostHeader);

    private async Task<HeyReport> LoopAsync(Uri target, string? hostHeader)
    {
        var total = new HeyReport(0, 0, 0, 0);
        while (!_stop.IsCancellationRequested)
        {
            string[] arguments = ["-z", "3s", "-c", "4", "-q", "250", "-t", "10", .. hostHeader is null ? Array.Empty<string>() : ["-host", hostHeader], target.ToString()];
            var run = await Shell.RunAsync("hey", arguments, timeout: TimeSpan.FromSeconds(30));
            if (run.ExitCode != 0) throw new InvalidOperationException($"hey failed ({run.ExitCode}): {run.All}");
            var report = Parse(run.Output);
            total = new HeyReport(total.Responses + report.Responses, total.Non2xx + report.Non2xx, total.Errors + report.Errors, total.Runs + 1);
            if (report.Failed > 0) HarnessLog.Write($"hey run {total.Runs}: {run.Output}");
        }
        return total;
    }

    /// <summary>Reads hey's summary: "[200]	3705 responses" per status, "[2]	Get ...: reset" per error.</summary>
    public static HeyReport Parse(string output)
    {
        var statuses = output.IndexOf("Status code distribution:", StringComparison.Ordinal);
        var errors = output.IndexOf("Error distribution:", StringComparison.Ordinal);
        if (statuses < 0) throw new FormatException($"not hey's summary: {output}");
        var statusPart = errors > statuses ? output[statuses..errors] : output[statuses..];
        long responses = 0, non2xx = 0;
        foreach (Match line in StatusLine().Matches(statusPart))
        {
            var (code, count) = (int.Parse(line.Groups[1].Value), long.Parse(line.Groups[2].Value));
            responses += count;
            if (code is < 200 or >= 400) non2xx += count;
        }
        var failed = errors < 0 ? 0 : ErrorLine().Matches(output[errors..]).Sum(m => long.Parse(m.Groups[1].Value));
        return new HeyReport(responses, non2xx, failed, 1);
    }

    public async Task<HeyReport> StopAsync()
    {
        await _stop.CancelAsync();
        var report = await _running;
        HarnessLog.Write(report.ToString());
        return report;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }

    [GeneratedRegex(@"\[(\d{3})\]\s+(\d+) responses")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^\s*\[(\d+)\]\s", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();
}

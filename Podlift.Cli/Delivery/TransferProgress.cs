using System.Diagnostics;
using Podlift.Cli.Output;

namespace Podlift.Cli.Delivery;

/// <summary>While a transfer runs longer than a moment, a line every 2 s with the bytes moved so far and the rate.</summary>
public sealed class TransferProgress : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reporting;

    /// <param name="verb">What happens to the bytes: sent, pushed, downloaded.</param>
    public TransferProgress(ConsoleOutput output, string host, Func<long> sent, string verb = "sent")
    {
        var clock = Stopwatch.StartNew();
        _reporting = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                    output.Line($"  {host}: {Line(sent(), clock.Elapsed, verb)}");
            }
            catch (OperationCanceledException) { }
        });
    }

    public static string Line(long bytes, TimeSpan elapsed, string verb = "sent") => $"{Format.Bytes(bytes)} {verb} ({Rate(bytes, elapsed)})";

    public static string Rate(long bytes, TimeSpan elapsed) => $"{Format.Bytes((long)(bytes / Math.Max(elapsed.TotalSeconds, 0.001)))}/s";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reporting;
        _stop.Dispose();
    }
}

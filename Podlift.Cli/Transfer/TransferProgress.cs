using System.Diagnostics;
using Podlift.Cli.Output;

namespace Podlift.Cli.Transfer;

/// <summary>While a transfer runs longer than a moment, a line every 2 s with the bytes sent so far and the rate.</summary>
public sealed class TransferProgress : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reporting;

    public TransferProgress(ConsoleOutput output, string host, Func<long> sent)
    {
        var clock = Stopwatch.StartNew();
        _reporting = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                    output.Line($"  {host}: {Line(sent(), clock.Elapsed)}");
            }
            catch (OperationCanceledException) { }
        });
    }

    public static string Line(long bytes, TimeSpan elapsed) => $"{Format.Bytes(bytes)} sent ({Rate(bytes, elapsed)})";

    public static string Rate(long bytes, TimeSpan elapsed) => $"{Format.Bytes((long)(bytes / Math.Max(elapsed.TotalSeconds, 0.001)))}/s";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reporting;
        _stop.Dispose();
    }
}

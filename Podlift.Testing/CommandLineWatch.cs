using System.Text;

namespace Podlift.Testing;

/// <summary>
/// Samples every process's command line (what `ps` shows anyone) on this machine and inside test servers
/// while something runs, so a test can say a secret never appeared in one. Best effort by nature: it
/// catches a command line that lives longer than the sampling interval.
/// </summary>
public sealed class CommandLineWatch : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _seen = [];
    private readonly Task _local;
    private readonly List<(string Container, Task<ShellResult> Sampling)> _remote = [];

    public CommandLineWatch(IEnumerable<string> serverContainers)
    {
        _local = Task.Run(SampleLocallyAsync);
        foreach (var container in serverContainers)
        {
            // the loop inside the server ends when the stop file appears (a killed `docker exec` would leave it running)
            var loop = "rm -f /tmp/.cmdline-watch-stop; while [ ! -e /tmp/.cmdline-watch-stop ]; do " +
                       "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f 2>/dev/null; echo; done | sort -u; sleep 0.1; done | sort -u";
            _remote.Add((container, Shell.RunAsync("docker", ["exec", container, "sh", "-c", loop], timeout: TimeSpan.FromMinutes(10))));
        }
    }

    public async Task<IReadOnlySet<string>> StopAsync()
    {
        await _stop.CancelAsync();
        await _local;
        foreach (var (container, sampling) in _remote)
        {
            await Shell.RunAsync("docker", ["exec", container, "touch", "/tmp/.cmdline-watch-stop"]);
            foreach (var line in (await sampling).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)) _seen.Add($"{container}: {line}");
        }
        return _seen;
    }

    private async Task SampleLocallyAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!char.IsDigit(Path.GetFileName(directory)[0])) continue;
                try
                {
                    var commandLine = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Path.Combine(directory, "cmdline"))).Replace('\0', ' ').Trim();
                    if (commandLine.Length > 0) _seen.Add($"local: {commandLine}");
                }
                catch (IOException) { } // the process ended meanwhile
                catch (UnauthorizedAccessException) { }
            }
            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}

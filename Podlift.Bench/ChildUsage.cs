using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Podlift.Bench;

/// <summary>
/// The CPU time of the processes this one has waited for (getrusage RUSAGE_CHILDREN): the CLI and everything it ran
/// (ssh, docker's client), not dockerd's work. The difference across one CLI run is that run's CPU.
/// </summary>
public static partial class ChildUsage
{
    private const int Children = -1;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeValue
    {
        public long Seconds;
        public long Microseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public TimeValue User;
        public TimeValue System;
        public long MaxRss, Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, out ResourceUsage usage);

    /// <summary>User plus system CPU of every waited-for child so far.</summary>
    public static TimeSpan Cpu()
    {
        if (getrusage(Children, out var usage) != 0) throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        return Of(usage.User) + Of(usage.System);
    }

    private static TimeSpan Of(TimeValue value) => TimeSpan.FromSeconds(value.Seconds) + TimeSpan.FromMicroseconds(value.Microseconds);
}

/// <summary>The highest resident set size a running process reached (VmHWM), read until it exits.</summary>
public sealed class PeakRss
{
    private long _kilobytes;

    public long Bytes => Interlocked.Read(ref _kilobytes) * 1024;

    /// <summary>Reads the process's VmHWM every 20 ms until it exits; the last read is the peak, short of its final 20 ms.</summary>
    public void Watch(Process process) => _ = Task.Run(async () =>
    {
        var status = $"/proc/{process.Id}/status";
        while (true)
        {
            try
            {
                var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null && long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out var kilobytes))
                    Interlocked.Exchange(ref _kilobytes, Math.Max(Interlocked.Read(ref _kilobytes), kilobytes));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; } // it exited
            await Task.Delay(20);
        }
    });
}

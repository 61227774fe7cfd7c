using System.Globalization;

namespace Podlift.Agent.Proxy;

/// <summary>A worker of the host's nginx, and whether it is shutting down after a reload.</summary>
public sealed record NginxWorker(int Pid, bool ShuttingDown);

/// <summary>The host's nginx as the kernel shows it: its master (none when it is not running) and the master's workers.</summary>
public sealed record NginxProcessSnapshot(int? MasterPid, IReadOnlyList<NginxWorker> Workers)
{
    public IReadOnlySet<int> ActiveWorkers => Workers.Where(w => !w.ShuttingDown).Select(w => w.Pid).ToHashSet();
}

/// <summary>Finds the host's nginx master and its workers, and signals the master.</summary>
public interface INginxProcesses
{
    NginxProcessSnapshot Snapshot();

    /// <summary>Has the master reload its config (SIGHUP, what `nginx -s reload` sends); false when the signal could not be sent.</summary>
    bool SignalReload(int masterPid);
}

/// <summary>
/// The host's nginx is the one whose master wrote nginx's pid file; its workers are that master's
/// children. Process titles alone would also find the nginx of every container that runs one (their
/// processes are visible in the host's /proc), and those never reload for the host.
/// </summary>
public sealed class NginxProcesses(string pidFile = "/run/nginx.pid", string proc = "/proc") : INginxProcesses
{
    public NginxProcessSnapshot Snapshot()
    {
        var master = MasterPid();
        if (master is null) return new NginxProcessSnapshot(null, []);
        var workers = new List<NginxWorker>();
        foreach (var dir in Directory.EnumerateDirectories(proc))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (ParseParent(File.ReadAllText(Path.Combine(dir, "stat"))) != master) continue;
                if (ParseWorker(pid, File.ReadAllText(Path.Combine(dir, "cmdline"))) is { } worker) workers.Add(worker);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the process ended meanwhile
        }
        return new NginxProcessSnapshot(master, workers);
    }

    public bool SignalReload(int masterPid) => Machine.UnixNative.Hangup(masterPid);

    private int? MasterPid()
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return null;
            // a stale pid file (nginx stopped uncleanly) names a process that is gone, or no longer nginx
            var title = File.ReadAllText(Path.Combine(proc, pid.ToString(CultureInfo.InvariantCulture), "cmdline"));
            return IsMaster(title) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public static bool IsMaster(string cmdline) => Title(cmdline).StartsWith("nginx: master process", StringComparison.Ordinal);

    public static NginxWorker? ParseWorker(int pid, string cmdline)
    {
        var title = Title(cmdline);
        if (!title.StartsWith("nginx: worker process", StringComparison.Ordinal)) return null;
        return new NginxWorker(pid, title.Contains("is shutting down", StringComparison.Ordinal));
    }

    /// <summary>The parent pid from /proc/&lt;pid&gt;/stat.</summary>
    public static int? ParseParent(string stat) =>
        Machine.ProcStat.FieldsAfterName(stat) is { Length: >= 2 } fields && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            ? parent
            : null;

    private static string Title(string cmdline) => cmdline.Replace('\0', ' ').Trim();
}

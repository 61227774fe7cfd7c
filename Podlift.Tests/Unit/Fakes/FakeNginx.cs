using Podlift.Agent.Proxy;

namespace Podlift.Tests.Unit.Fakes;

/// <summary>
/// The host's nginx as a test wants it: a master with workers, which a reload replaces with new ones
/// (or, when told to hang, does not replace at all, like an nginx whose reload never takes effect).
/// </summary>
internal sealed class FakeNginx : INginxProcesses
{
    private int _nextPid = 801;

    public FakeNginx() => Workers = [new NginxWorker(_nextPid++, false), new NginxWorker(_nextPid++, false)];

    public int? MasterPid { get; set; } = 800;
    public List<NginxWorker> Workers { get; private set; }
    public bool ReloadsHang { get; set; }
    public int Reloads { get; private set; }
    /// <summary>Each reload counts; from this one on (1-based) reloads hang.</summary>
    public int? HangFromReload { get; set; }

    /// <summary>The masters sent SIGHUP, in order.</summary>
    public List<int> Signalled { get; } = [];
    /// <summary>The signal cannot be sent (the agent may not signal it): the reload goes through systemctl.</summary>
    public bool SignalsFail { get; set; }
    /// <summary>Runs at each reload, before it takes effect: a test may change what this one does.</summary>
    public Action? BeforeReload { get; set; }

    public NginxProcessSnapshot Snapshot() => new(MasterPid, Workers.ToList());

    public bool SignalReload(int masterPid)
    {
        if (SignalsFail || masterPid != MasterPid) return false;
        Signalled.Add(masterPid);
        Reload();
        return true;
    }

    public void Reload()
    {
        BeforeReload?.Invoke();
        Reloads++;
        if (ReloadsHang || (HangFromReload is { } from && Reloads >= from)) return;
        Workers = [.. Workers.Select(w => w with { ShuttingDown = true }), new NginxWorker(_nextPid++, false), new NginxWorker(_nextPid++, false)];
    }
}

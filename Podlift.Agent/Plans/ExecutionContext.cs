using Podlift.Agent.Deploy;
using Podlift.Protocol;

namespace Podlift.Agent.Plans;

/// <summary>What an action leaves for the ones after it, and for the job's undo: ids, addresses, what can be taken back.</summary>
public sealed class ExecutionContext(JobSpec job, ServerSnapshot snapshot, DeployProgress progress)
{
    private readonly Stack<(string What, Func<Task> Undo)> _undos = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public JobSpec Job { get; } = job;
    public DeployPlan Request => Job.Plan;
    public ServerSnapshot Snapshot { get; } = snapshot;
    public DeployProgress Progress { get; } = progress;
    public DateTimeOffset StartedAt { get; } = snapshot.Now;
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>The app network's gateway, once it exists: the host as its containers see it.</summary>
    public string Gateway { get; set; } = "";
    public string PrimaryAddress => Snapshot.PrimaryAddress ?? Gateway;

    /// <summary>The containers this job brought up (created, or a rollback target's started again): name it started with → id.</summary>
    public Dictionary<string, string> Started { get; } = [];
    public List<DependencyReplacement> ReplacedDependencies { get; } = [];

    /// <summary>Traffic may have reached the new version: nothing is undone any more.</summary>
    public bool Committed { get; set; }
    /// <summary>The CLI never answered (the primary may route here already): undo nothing, stop nothing.</summary>
    public bool KeepEverything { get; set; }
    public bool Recorded { get; set; }
    public HookRan? FailedAfterHook { get; set; }
    /// <summary>Where the app's request log ended, and when, as traffic began to move.</summary>
    public (long Position, DateTimeOffset At)? SwitchWindow { get; set; }
    public Proxy.TrafficReceipt? Receipt { get; set; }
    /// <summary>An atomic rollout's go, on the primary: every other server's new backends, switched to with this server's.</summary>
    public IReadOnlyList<ServerBackends> Others { get; set; } = [];
    /// <summary>The other servers' backends the switch replaced: the drain waits for them too.</summary>
    public List<System.Net.IPEndPoint> ReplacedRemote { get; } = [];
    /// <summary>What the verification after the switch counted; null: none ran.</summary>
    public VerifyResult? Verified { get; set; }
    /// <summary>A canary's hold passed with enough requests to judge: the job goes on as its promotion.</summary>
    public bool CanaryPassed { get; set; }
    /// <summary>Where nginx's request log stood when the canary's hold began: its watch counts from there.</summary>
    public long? HoldLogFrom { get; set; }
    public PortReservations.Lease? Ports { get; init; }

    public void OnFailure(string what, Func<Task> undo) => _undos.Push((what, undo));

    /// <summary>Takes back, newest first, what the job did; an undo that fails is reported and the others still run.</summary>
    public async Task UndoAllAsync()
    {
        while (_undos.TryPop(out var undo))
        {
            try { await undo.Undo(); }
            catch (Exception e) { Progress.Warning($"could not undo {undo.What}: {e.Message}"); }
        }
    }
}

using System.Collections.Concurrent;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Jobs;

/// <summary>
/// An atomic rollout, seen from the CLI. Every server's job stops, ready, before anything switches. Once all
/// are, the primary gets the go with every other server's new backends and moves the whole upstream in one
/// reload; the others get theirs once the primary has drained their old containers, and switch their own
/// nginx. A server that fails before it is ready stops them all: nothing switched anywhere, so each removes
/// its new containers and the old version keeps serving everywhere.
/// </summary>
public sealed class AtomicRollout(string app, IReadOnlyList<ServerSession> sessions, ServerSession primary, CancellationToken cancellationToken)
{
    /// <summary>
    /// Whether a deploy of this config with this rollout goes atomically: with more than one server (one server's
    /// deploy is all or nothing already). Refused when the primary does not run the routed service: its nginx
    /// would have no switch to take the others' backends into.
    /// </summary>
    public static bool AppliesTo(PodliftConfig config, Rollout rollout)
    {
        if (rollout != Rollout.Atomic || config.Servers.Count < 2) return false;
        if (config.RoutedService is { } routed && !config.ServicesOn(config.Primary).Contains(routed))
            throw new ValidationException($"an atomic rollout needs the primary ({config.Primary.Host}) to run {routed.Name}: its nginx switches every server at once",
                $"give {config.Primary.Host} the {routed.Name} role, or deploy without --atomic (rollout: serial or parallel)");
        return true;
    }

    private readonly ConcurrentDictionary<string, AwaitingSwitch> _ready = new();
    // null: go; otherwise why not
    private readonly TaskCompletionSource<string?> _decision = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // true once the primary's switch went through; set (true or false) when its drain is over or its job ended
    private readonly TaskCompletionSource<bool> _primaryDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _primarySwitched;

    /// <summary>Why the rollout stopped before anything switched; null while it has not (or once it went).</summary>
    public string? StoppedBecause => _decision.Task.IsCompletedSuccessfully ? _decision.Task.Result : null;

    /// <summary>For the server's job watcher: its job is ready and waits for the word.</summary>
    public Func<AwaitingSwitch, string, Task> For(ServerSession session, ConsoleOutput console) =>
        (awaiting, deployId) => ReadyAsync(session, awaiting, deployId, console);

    /// <summary>Every event of the primary's job: when its switch went through, and when its drain is over.</summary>
    public void OnPrimaryEvent(DeployEvent deployEvent)
    {
        if (deployEvent.StepFinished?.Step == DeployStep.Switch) _primarySwitched = true;
        else if (deployEvent.StepFinished?.Step == DeployStep.Cleanup || deployEvent.Finished is not null) _primaryDone.TrySetResult(_primarySwitched);
    }

    /// <summary>A server's job ended (or never started). Before it was ready: the rollout stops.</summary>
    public void Ended(ServerSession session, bool success)
    {
        if (!_ready.ContainsKey(session.Server.Host))
            _decision.TrySetResult(success ? $"{session.Server.Host} ended without waiting for the others" : $"{session.Server.Host} failed before it was ready");
        if (session == primary) _primaryDone.TrySetResult(_primarySwitched);
    }

    private async Task ReadyAsync(ServerSession session, AwaitingSwitch awaiting, string deployId, ConsoleOutput console)
    {
        var confirm = new ConfirmSwitchRequest { App = app, DeployId = deployId, Proceed = true };
        _ready[session.Server.Host] = awaiting;
        if (_ready.Count == sessions.Count) _decision.TrySetResult(null);
        else console.Line($"  ready; {_ready.Count} of {sessions.Count} servers are");

        if (await _decision.Task.WaitAsync(cancellationToken) is { } stopped)
        {
            confirm.Proceed = false;
            confirm.Reason = stopped;
        }
        else if (session == primary)
        {
            foreach (var (host, other) in _ready.Where(r => r.Key != primary.Server.Host && r.Value.Backends.Count > 0).OrderBy(r => r.Key))
                confirm.Others.Add(new ServerBackends { Server = host, Backends = { other.Backends } });
            console.Ok($"all {sessions.Count} servers ready: {primary.Server.Host} switches every server's new containers in at once");
        }
        else if (!await _primaryDone.Task.WaitAsync(cancellationToken))
        {
            confirm.Proceed = false;
            confirm.Reason = $"{primary.Server.Host}: its switch failed; its load balancer still routes to the old containers";
        }
        await session.Agent.ConfirmSwitchAsync(confirm, cancellationToken);
    }
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Jobs;

/// <summary>
/// When a non-primary web server's new containers are healthy, its agent waits: this moves the
/// primary's upstream to them (the primary drains the ones they replace) and then lets that server's
/// job go on, or tells it the primary could not take them.
/// </summary>
/// <param name="primaryReady">
/// True once the primary may be joined: its release command (migrations) ran. Until then another server's new
/// containers must not take traffic; false: the primary's deploy failed before that.
/// </param>
public sealed class PrimaryHandoff(PodliftConfig config, ServerSession primary, Task<bool> primaryReady, CancellationToken cancellationToken)
{
    public Func<AwaitingSwitch, string, Task> For(ServerSession session, ConsoleOutput console) =>
        (awaiting, deployId) => HandOffAsync(session, awaiting, deployId, console);

    private async Task HandOffAsync(ServerSession session, AwaitingSwitch awaiting, string deployId, ConsoleOutput console)
    {
        var confirm = new ConfirmSwitchRequest { App = config.App, DeployId = deployId, Proceed = true };
        if (!await primaryReady.WaitAsync(cancellationToken))
        {
            confirm.Proceed = false;
            confirm.Reason = $"{primary.Server.Host}: its deploy failed before its release command finished";
            await session.Agent.ConfirmSwitchAsync(confirm, cancellationToken);
            return;
        }
        try
        {
            var request = new SetUpstreamRequest
            {
                App = config.App, Server = session.Server.Host, Service = awaiting.Service,
                DrainMilliseconds = (long)config.Drain.TotalMilliseconds, Domain = config.Domain ?? "",
            };
            request.Backends.AddRange(awaiting.Backends);
            var reply = await primary.Agent.SetUpstreamAsync(request, cancellationToken);
            console.Ok($"{primary.Server.Host} balances to {awaiting.Backends.Count} new container(s) here" +
                       (reply.Drained
                           ? $"; the old ones drained ({Format.Duration(TimeSpan.FromMilliseconds(reply.DrainMilliseconds))})"
                           : $"; {reply.ConnectionsLeft} connections still open at the drain limit"));
        }
        catch (AgentCallException e)
        {
            confirm.Proceed = false;
            confirm.Reason = $"{primary.Server.Host}: {e.Detail}";
        }
        await session.Agent.ConfirmSwitchAsync(confirm, cancellationToken);
    }
}

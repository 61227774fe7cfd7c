using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Jobs;

/// <summary>
/// Follows one agent job (deploy, rollback, or a re-attached one) to its end, printing its events,
/// and turns how it ended into podlift's errors and exit codes.
/// </summary>
public static class JobWatcher
{
    /// <param name="events">The job's events from the agent (<see cref="AgentClient.Deploy"/>, Rollback or Attach); the call starts when read.</param>
    public static async Task<DeployFinished> WatchAsync(
        string host, IAsyncEnumerable<DeployEvent> events, ConsoleOutput output, string logsHint, CancellationToken cancellationToken,
        Func<AwaitingSwitch, string, Task>? onAwaitingSwitch = null, Action<DeployEvent>? onEvent = null)
    {
        var printer = new DeployEventPrinter(output);
        try
        {
            await foreach (var deployEvent in events.WithCancellation(cancellationToken))
            {
                printer.Handle(deployEvent);
                onEvent?.Invoke(deployEvent);
                if (deployEvent.AwaitingSwitch is { } awaiting && onAwaitingSwitch is not null)
                    await onAwaitingSwitch(awaiting, deployEvent.DeployId);
            }
        }
        // the agent's own refusals (locked, refused, nothing recorded, not started) say what happened; anything else
        // before the end broke the watch, not the job
        catch (Exception e) when (e is AgentCallException { Reason: AgentErrorReason.None } or IOException && printer.Finished is null)
        {
            throw LostConnection(host, printer.DeployId);
        }

        var finished = printer.Finished ?? throw LostConnection(host, printer.DeployId);
        if (finished.Success) return finished;

        if (finished.RevertedTo.Length > 0)
            throw new DeploymentException($"{host}: {finished.Version} was rolled back to {finished.RevertedTo} by its agent: {finished.Error}",
                "`podlift status` keeps the figures; fix the new version and deploy again");
        if (finished.Canary is { Status: CanaryStatus.Aborted } aborted)
            throw new DeploymentException($"{host}: the canary {aborted.Version} was removed by its agent: {finished.Error}",
                "`podlift status` keeps the figures; fix the new version and deploy again");
        var what = printer.Operation switch { Operation.Rollback => "Rollback", Operation.Promote => "Promotion", Operation.Abort => "Removing the canary", _ => "Deployment" };
        var detail = printer.FailureDetail.Count > 0 ? "\n" + string.Join('\n', printer.FailureDetail) : "";
        var hookOutput = printer.FailedHook is { Output.Count: > 0 } hook ? "\n" + string.Join('\n', hook.Output.Select(l => "  | " + l)) : "";
        throw new DeploymentException($"{what} failed on {host}: {finished.Error}{detail}{hookOutput}", logsHint);
    }

    private static ConnectionException LostConnection(string host, string deployId) => new(
        $"{host}: the connection to the agent was lost during the job{(deployId.Length > 0 ? $" {deployId}" : "")}; it goes on (or is reconciled) on the server",
        "run `podlift attach` to see how it ended");
}

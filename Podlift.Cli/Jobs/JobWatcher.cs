using Grpc.Core;
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
    public static async Task<DeployFinished> WatchAsync(
        string host, Func<AsyncServerStreamingCall<DeployEvent>> start, ConsoleOutput output, string logsHint, CancellationToken cancellationToken,
        Func<AwaitingSwitch, string, Task>? onAwaitingSwitch = null, Action<DeployEvent>? onEvent = null)
    {
        var printer = new DeployEventPrinter(output);
        try
        {
            using var call = start();
            await foreach (var deployEvent in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                printer.Handle(deployEvent);
                onEvent?.Invoke(deployEvent);
                if (deployEvent.AwaitingSwitch is { } awaiting && onAwaitingSwitch is not null)
                    await onAwaitingSwitch(awaiting, deployEvent.DeployId);
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
        {
            throw new DeploymentException($"{host}: {e.Status.Detail}", "nothing was changed; wait for it to finish (`podlift attach` follows it), then try again");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            throw new ValidationException($"{host}: {e.Status.Detail}", "nothing was changed; `podlift ps --all` shows the versions on the servers");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            throw AgentCallErrors.Translate(host, "job", e);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new ValidationException($"{host}: {e.Status.Detail}");
        }
        catch (Exception e) when (e is RpcException or IOException && printer.Finished is null)
        {
            throw LostConnection(host, printer.DeployId);
        }

        var finished = printer.Finished ?? throw LostConnection(host, printer.DeployId);
        if (finished.Success) return finished;

        var what = printer.Operation == Operation.Rollback ? "Rollback" : "Deployment";
        var detail = printer.FailureDetail.Count > 0 ? "\n" + string.Join('\n', printer.FailureDetail) : "";
        var hookOutput = printer.FailedHook is { Output.Count: > 0 } hook ? "\n" + string.Join('\n', hook.Output.Select(l => "  | " + l)) : "";
        throw new DeploymentException($"{what} failed on {host}: {finished.Error}{detail}{hookOutput}", logsHint);
    }

    private static ConnectionException LostConnection(string host, string deployId) => new(
        $"{host}: the connection to the agent was lost during the job{(deployId.Length > 0 ? $" {deployId}" : "")}; it goes on (or is reconciled) on the server",
        "run `podlift attach` to see how it ended");
}

using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Plans.Steps;

/// <summary>Containers of the app: created, started again, moved aside, stopped, removed, renamed; images removed.</summary>
public sealed class ContainerSteps(IContainerRuntime runtime)
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public async Task CreateAsync(CreateContainer action, ExecutionContext context, CancellationToken cancellationToken)
    {
        context.Progress.Info($"Starting {action.Name}...");
        var spec = ContainerSpecs.ForService(context.Request, action.Service, action.Replica, action.HostPort, context.Job.DeployId, context.StartedAt,
            context.PrimaryAddress, action.BindAddress, context.Snapshot.DependencyAddresses);
        var id = await runtime.CreateAndStartAsync(spec, cancellationToken);
        context.Started[action.Name] = id;
        context.OnFailure($"{action.Name}", () => runtime.RemoveAsync(id, CancellationToken.None));
    }

    public async Task StartStoppedAsync(StartStopped action, ExecutionContext context, CancellationToken cancellationToken)
    {
        context.Progress.Info($"Starting {action.Name}...");
        await runtime.StartAsync(action.ContainerId, cancellationToken);
        context.Started[action.Name] = action.ContainerId;
        // a rollback target's own containers go back to being stopped
        context.OnFailure($"{action.Name}", () => runtime.StopAsync(action.ContainerId, StopGrace, CancellationToken.None));
    }

    public async Task MoveAsideAsync(MoveAside action, ExecutionContext context, CancellationToken cancellationToken)
    {
        await runtime.RenameAsync(action.ContainerId, action.AsideName, cancellationToken);
        context.OnFailure($"the rename of {action.Name}", () => runtime.RenameAsync(action.ContainerId, action.Name, CancellationToken.None));
    }

    public async Task StopAsync(StopContainer action, ExecutionContext context, CancellationToken cancellationToken)
    {
        await runtime.StopAsync(action.ContainerId, StopGrace, cancellationToken);
        if (action.Announce) context.Progress.Success($"{action.Name} stopped");
        else context.Progress.Detail($"{action.Name} stopped");
    }

    public async Task RemoveAsync(RemoveContainer action, ExecutionContext context, CancellationToken cancellationToken)
    {
        await runtime.RemoveAsync(action.ContainerId, cancellationToken);
        context.Progress.Detail($"{action.Name} removed ({action.Why})");
    }

    public Task RemoveImageAsync(RemoveImage action, CancellationToken cancellationToken) => runtime.RemoveImageAsync(action.Image, cancellationToken);

    /// <summary>Traffic has moved already: a rename that fails is a warning, never a failed deploy.</summary>
    public async Task RenameAsync(RenameContainer action, ExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await runtime.RenameAsync(action.From, action.To, cancellationToken);
            context.Progress.Detail($"{action.From} is now {action.To}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.Progress.Warning($"could not rename {action.From} to {action.To}: {e.Message}");
        }
    }
}

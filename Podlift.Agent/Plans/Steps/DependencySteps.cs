using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;

namespace Podlift.Agent.Plans.Steps;

/// <summary>Dependencies: kept, started, created, or recreated with their old container kept aside until the job is done.</summary>
public sealed class DependencySteps(IContainerRuntime runtime, DependencyManager dependencies)
{
    public async Task EnsureAsync(EnsureDependency action, ExecutionContext context, CancellationToken cancellationToken)
    {
        var existing = await runtime.ListDependenciesAsync(context.Request.App, cancellationToken);
        var bind = action.BindAddress.Length > 0 ? action.BindAddress : context.Gateway;
        if (await dependencies.EnsureOneAsync(context.Request.App, action.Dependency, existing, bind, context.Progress, cancellationToken) is not { } replaced) return;
        context.ReplacedDependencies.Add(replaced);
        context.OnFailure($"the recreation of {replaced.Dependency}", () => dependencies.RestoreAsync([replaced], context.Progress));
    }

    public async Task RestoreAsync(RestoreDependency action, CancellationToken cancellationToken)
    {
        if (action.ReplacementId is { } replacement) await runtime.RemoveAsync(replacement, cancellationToken);
        await runtime.RenameAsync(action.PreviousId, action.Name, cancellationToken);
        await runtime.StartAsync(action.PreviousId, cancellationToken);
    }

    public Task RetireAsync(ExecutionContext context, CancellationToken cancellationToken) =>
        dependencies.RetireAsync(context.ReplacedDependencies, cancellationToken);
}

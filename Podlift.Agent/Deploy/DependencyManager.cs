using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// Keeps an app's dependencies (postgres, redis...) running: created once, never recreated while they run
/// unchanged, recreated with the same volume when their configuration changes.
/// </summary>
public sealed class DependencyManager(IContainerRuntime runtime)
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    public async Task EnsureAsync(DeployPlan plan, string bindAddress, DeployProgress progress, CancellationToken cancellationToken)
    {
        if (plan.Dependencies.Count == 0) return;
        var existing = await runtime.ListDependenciesAsync(plan.App, cancellationToken);
        foreach (var dependency in plan.Dependencies)
        {
            var spec = ContainerSpecs.ForDependency(plan.App, dependency, bindAddress);
            var current = existing.FirstOrDefault(c => c.Dependency == dependency.Name);
            var hash = spec.Labels[PodliftLabels.ConfigHash];
            if (current is not null && current.ConfigHash == hash)
            {
                if (current.Running)
                {
                    progress.Success($"{dependency.Name} running (unchanged)");
                    continue;
                }
                await runtime.StartAsync(current.Id, cancellationToken);
                progress.Success($"{dependency.Name} started");
                continue;
            }

            if (await runtime.InspectImageAsync(dependency.Image, cancellationToken) is null)
                throw new DeployFailure($"dependency {dependency.Name}: image {dependency.Image} is not on this server",
                    "podlift sends dependency images that your local Docker has; `docker pull` it locally, then deploy again");
            if (current is not null)
            {
                await runtime.StopAsync(current.Id, StopGrace, cancellationToken);
                await runtime.RemoveAsync(current.Id, cancellationToken);
            }
            await runtime.CreateAndStartAsync(spec, cancellationToken);
            progress.Success(current is null
                ? $"{dependency.Name} created ({dependency.Image})"
                : $"{dependency.Name} recreated: its configuration changed (volume kept)");
        }
    }
}

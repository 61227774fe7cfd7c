using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// A dependency recreated by this deploy: its old container stopped and kept under another name, so a
/// deploy that fails before the switch can put it back, and one that succeeds removes it.
/// </summary>
public sealed record DependencyReplacement(string Dependency, string Name, string OldId, string NewId);

/// <summary>
/// Keeps an app's dependencies (postgres, redis...) running: created once, never recreated while they run
/// unchanged. One whose configuration changed is recreated with the same volume: the old container is
/// stopped (its port and volume are the new one's) and kept aside until the new one runs, and until the
/// deploy is done; a new one that does not start, or a deploy that fails before the switch, gets the old
/// one back.
/// </summary>
/// <param name="startSettle">How long a recreated dependency must keep running to count as started.</param>
public sealed class DependencyManager(IContainerRuntime runtime, TimeSpan? startSettle = null)
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);
    private readonly TimeSpan _startSettle = startSettle ?? TimeSpan.FromSeconds(1);

    public async Task<IReadOnlyList<DependencyReplacement>> EnsureAsync(DeployPlan plan, string bindAddress, DeployProgress progress, CancellationToken cancellationToken)
    {
        var replaced = new List<DependencyReplacement>();
        if (plan.Dependencies.Count == 0) return replaced;
        var existing = await runtime.ListDependenciesAsync(plan.App, cancellationToken);
        try
        {
            foreach (var dependency in plan.Dependencies)
                if (await EnsureOneAsync(plan.App, dependency, existing, bindAddress, progress, cancellationToken) is { } replacement)
                    replaced.Add(replacement);
        }
        catch
        {
            await RestoreAsync(replaced, progress);
            throw;
        }
        return replaced;
    }

    /// <summary>One dependency as the plan wants it; a recreated one is returned, for the job to restore or retire.</summary>
    public async Task<DependencyReplacement?> EnsureOneAsync(string app, DependencyPlan dependency, IReadOnlyList<DependencyContainer> existing,
        string bindAddress, DeployProgress progress, CancellationToken cancellationToken)
    {
        var spec = ContainerSpecs.ForDependency(app, dependency, bindAddress);
        // the container by its own name: a -previous one left by an interrupted job is never the current one
        var current = existing.FirstOrDefault(c => c.Dependency == dependency.Name && c.Name == spec.Name);
        if (current is not null && current.ConfigHash == spec.Labels[PodliftLabels.ConfigHash])
        {
            await KeepAsync(current, dependency, progress, cancellationToken);
            return null;
        }
        if (await runtime.InspectImageAsync(dependency.Image, cancellationToken) is null)
            throw new DeployFailure($"dependency {dependency.Name}: image {dependency.Image} is not on this server",
                "podlift sends dependency images that your local Docker has; `docker pull` it locally, then deploy again");
        if (current is not null) return await RecreateAsync(current, dependency, spec, progress, cancellationToken);
        await runtime.CreateAndStartAsync(spec, cancellationToken);
        progress.Success($"{dependency.Name} created ({dependency.Image})");
        return null;
    }

    private async Task KeepAsync(DependencyContainer current, DependencyPlan dependency, DeployProgress progress, CancellationToken cancellationToken)
    {
        if (current.Running)
        {
            progress.Success($"{dependency.Name} running (unchanged)");
            return;
        }
        await runtime.StartAsync(current.Id, cancellationToken);
        progress.Success($"{dependency.Name} started");
    }

    /// <summary>The old container stops (its port and volume are the new one's) and waits aside under its -previous name.</summary>
    private async Task<DependencyReplacement> RecreateAsync(DependencyContainer current, DependencyPlan dependency, ContainerSpec spec, DeployProgress progress,
        CancellationToken cancellationToken)
    {
        progress.Info($"{dependency.Name} is recreated: its configuration changed (its volume is kept; the old container stays until the deploy is done)");
        await runtime.StopAsync(current.Id, StopGrace, cancellationToken);
        await runtime.RenameAsync(current.Id, ContainerNames.Superseded(spec.Name), cancellationToken);
        var replacement = new DependencyReplacement(dependency.Name, spec.Name, current.Id, "");
        try
        {
            replacement = replacement with { NewId = await runtime.CreateAndStartAsync(spec, cancellationToken) };
            await EnsureStartedAsync(replacement.NewId, dependency, cancellationToken);
        }
        catch
        {
            await RestoreAsync([replacement], progress);
            throw;
        }
        progress.Success($"{dependency.Name} recreated ({dependency.Image}, volume kept)");
        return replacement;
    }

    private async Task EnsureStartedAsync(string id, DependencyPlan dependency, CancellationToken cancellationToken)
    {
        await Task.Delay(_startSettle, cancellationToken);
        var status = await runtime.StatusAsync(id, cancellationToken);
        if (status.Running) return;
        var log = await runtime.TailLogAsync(id, 10, CancellationToken.None);
        throw new DeployFailure($"dependency {dependency.Name}: the recreated container exited with code {status.ExitCode}",
            $"The old {dependency.Name} runs again. Its last log lines:\n{string.Join('\n', log.Select(l => "  | " + l))}");
    }

    /// <summary>The deploy failed before the switch: each recreated dependency's old container runs again.</summary>
    public async Task RestoreAsync(IReadOnlyList<DependencyReplacement> replaced, DeployProgress progress)
    {
        foreach (var replacement in replaced)
        {
            try
            {
                if (replacement.NewId.Length > 0) await runtime.RemoveAsync(replacement.NewId, CancellationToken.None);
                await runtime.RenameAsync(replacement.OldId, replacement.Name, CancellationToken.None);
                await runtime.StartAsync(replacement.OldId, CancellationToken.None);
                progress.Warning($"{replacement.Dependency}: the previous container runs again");
            }
            catch (Exception e)
            {
                progress.Warning($"{replacement.Dependency}: could not restore the previous container: {e.Message}");
            }
        }
    }

    /// <summary>The deploy is done: the old containers of recreated dependencies go (their volumes stay).</summary>
    public async Task RetireAsync(IReadOnlyList<DependencyReplacement> replaced, CancellationToken cancellationToken)
    {
        foreach (var replacement in replaced) await runtime.RemoveAsync(replacement.OldId, cancellationToken);
    }
}

using Google.Protobuf;
using Podlift.Agent.Docker;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>A rollback that cannot start; nothing was touched.</summary>
public sealed class RollbackRefused(string message) : Exception(message);

/// <summary>
/// Decides what a rollback returns to and with which plan, before anything live is touched: the target
/// must be recorded (or still have containers), must not be current, and what has to be recreated must
/// still have its image. <see cref="ResolveAsync"/> is pure but for the image look-up it is given.
/// </summary>
public static class RollbackPlanner
{
    public static async Task<(DeploymentRecord Target, DeployPlan Plan)> ResolveAsync(
        AppRecord? record, IReadOnlyList<AppContainer> containers, RollbackRequest request, Func<string, Task<bool>> imagePresent)
    {
        if (record?.Current is null) throw new RollbackRefused($"{request.App} has not been deployed on this server");

        var target = string.IsNullOrEmpty(request.To)
            ? record.Previous ?? throw new RollbackRefused($"there is no earlier deployment of {request.App} to roll back to")
            : record.FindDeployment(request.To) ?? FromContainers(record, containers, request.To)
              ?? throw new RollbackRefused($"version {request.To} of {request.App} is not on this server; `podlift ps --all` lists the versions kept");
        if (target.Version == record.Current.Version)
            throw new RollbackRefused($"{target.Version} is already the current version of {request.App}");

        var plan = PlanFor(target, record.Current);
        plan.SkipHealthcheck = request.SkipHealthcheck;
        if (request.DrainMilliseconds > 0) plan.DrainMilliseconds = request.DrainMilliseconds;
        if (!string.IsNullOrEmpty(request.RequestedBy)) plan.DeployedBy = request.RequestedBy;

        var existing = containers.Where(c => c.Version == target.Version).Select(c => c.Name).ToHashSet();
        var missing = plan.Services.SelectMany(s => Enumerable.Range(1, Math.Max(1, s.Replicas)).Select(r => ContainerNames.For(plan.App, s.Name, plan.Version, r)))
            .Where(name => !existing.Contains(name)).ToList();
        if (missing.Count > 0 && !await imagePresent(plan.Image))
            throw new RollbackRefused(
                $"cannot roll back to {target.Version}: its image {plan.Image} is gone from this server and {string.Join(", ", missing)} would have to be recreated; deploy that commit again instead");
        return (target, plan);
    }

    /// <summary>The rollback job <paramref name="request"/> asks for, from the server as it is now.</summary>
    public static async Task<JobSpec> JobAsync(DeployTools tools, RollbackRequest request, CancellationToken cancellationToken)
    {
        var containers = await tools.Runtime.ListAppContainersAsync(request.App, cancellationToken);
        var (record, _) = tools.State.LoadOrRebuild(request.App, containers);
        var (target, plan) = await ResolveAsync(record, containers, request,
            async image => await tools.Runtime.InspectImageAsync(image, cancellationToken) is not null);
        return new JobSpec(Operation.Rollback, plan, JobSpec.NewDeployId(plan.Version), request.Hooks ?? new HooksPlan(), target);
    }

    private static DeployPlan PlanFor(DeploymentRecord target, DeploymentRecord current)
    {
        if (target.PlanJson is { Length: > 0 } json) return JsonParser.Default.Parse<DeployPlan>(json);
        // a target known only from container labels: the current plan, for the target's version
        if (current.PlanJson is not { Length: > 0 } currentJson)
            throw new RollbackRefused($"no deploy plan is recorded for {target.Version}; deploy that commit again instead");
        var plan = JsonParser.Default.Parse<DeployPlan>(currentJson);
        plan.Version = target.Version;
        plan.Image = ImageNames.WithTag(plan.Image, target.Version);
        plan.CommitMessage = target.CommitMessage;
        return plan;
    }

    private static DeploymentRecord? FromContainers(AppRecord record, IReadOnlyList<AppContainer> containers, string versionOrPrefix)
    {
        var match = containers.Where(c => AppRecord.VersionMatches(c.Version, versionOrPrefix))
            .GroupBy(c => c.Version).FirstOrDefault();
        if (match is null) return null;
        return StateRebuilder.FromContainers(record.App, match.ToList())?.Current;
    }
}

using Podlift.Cli.Building;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;
using Podlift.Cli.Jobs;

namespace Podlift.Cli.Commands;

/// <summary>
/// --dry-run of deploy and rollback: each server's agent answers with the plan it would run (its planner, the
/// one a real job runs); this prints it, with what the CLI itself would do (build, send). Nothing changes.
/// </summary>
public sealed class DryRun(ConsoleOutput output, SshSettings ssh)
{
    public async Task DeployAsync(PodliftConfig config, DeployOptions options, CancellationToken cancellationToken)
    {
        output.Line("Dry run: what `podlift deploy` would do; nothing is built, sent or changed.");
        var rollout = options.RolloutFor(config);
        var atomic = AtomicRollout.AppliesTo(config, rollout);
        if (options.Canary is { } canary) output.Line($"Rollout: {canary}; only the routed service starts, the others change at the promotion");
        else if (config.Servers.Count > 1) output.Line($"Rollout: {Describe(rollout, options.BatchesFor(config), config)}");
        var commit = await HeadAsync(config, cancellationToken);
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        var release = new Release(commit, Release.ImageTag(config.Image, commit), Environment.UserName, "", await Git.SourceAsync(config.ProjectDirectory, cancellationToken));
        var addresses = sessions.Addresses();
        var platforms = PlatformPlan.Decide(sessions.Select(s => (s.Server, s.Hello!.Architecture)).ToList(), config.BuildPlatform, release.Image);
        foreach (var warning in platforms.Warnings) output.Warn(warning);
        // a canary runs on the primary alone
        foreach (var session in sessions.PrimaryFirst(config.Primary).Take(options.Canary is null ? int.MaxValue : 1))
        {
            var plan = DeployPlanner.For(config, session.Server, addresses, release, skipHealthcheck: false, atomic, options.Canary);
            output.Line($"{session.Server.Host}{(session.Server == config.Primary ? " (primary)" : "")}:");
            if (!CanPlan(session, CapabilityNeeds.ForDeploy(plan, config.Registry is not null), "podlift deploy")) continue;
            output.Line($"  image: {await ImageLineAsync(config, session, release, platforms.For(session.Server), cancellationToken)}");
            plan.DryRun = true;
            await PrintAsync(session.Agent.Deploy(plan, cancellationToken), cancellationToken);
        }
    }

    private static string Describe(Rollout rollout, BatchRollout? batches, PodliftConfig config) => rollout switch
    {
        Rollout.Batches when batches is not null => $"batches of {batches.Size} ({Batched(batches, config)}){(batches.Wait > TimeSpan.Zero ? $", {Durations.Format(batches.Wait)} apart" : "")}; "
                                                   + "each batch all at once, the first failed batch stops the run (batches before it keep the new version)",
        Rollout.Atomic => "atomic: every server starts and checks its new containers; only when all are ready does the primary switch them all at once, then each server; a failure anywhere leaves every server on the old version",
        Rollout.Parallel => "parallel: every server at once; each switches when it is ready, so a failure leaves servers on different versions",
        _ => "serial: one server after another, the primary first; the first failure stops the run (servers before it keep the new version)",
    };

    /// <summary>"10.0.0.1, 10.0.0.2 | 10.0.0.3": the servers of each batch, the primary first.</summary>
    private static string Batched(BatchRollout batches, PodliftConfig config) =>
        string.Join(" | ", batches.Split(config.Servers.OrderByDescending(s => s == config.Primary).ToList()).Select(b => string.Join(", ", b.Select(s => s.Host))));

    public async Task RollbackAsync(PodliftConfig config, string? to, CancellationToken cancellationToken, bool atomic = false)
    {
        output.Line("Dry run: what `podlift rollback` would do; nothing is changed.");
        atomic = AtomicRollout.AppliesTo(config, atomic ? Rollout.Atomic : Rollout.Serial);
        if (config.Servers.Count > 1) output.Line($"Rollout: {Describe(atomic ? Rollout.Atomic : Rollout.Serial, null, config)}");
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        var target = to is null ? "" : await GitRefs.ShortShaAsync(config.ProjectDirectory, to, cancellationToken) ?? to;
        var request = new RollbackRequest { App = config.App, To = target, DrainMilliseconds = (long)config.Drain.TotalMilliseconds, DryRun = true, Atomic = atomic };
        foreach (var session in sessions.PrimaryFirst(config.Primary))
        {
            output.Line($"{session.Server.Host}{(session.Server == config.Primary ? " (primary)" : "")}:");
            if (!CanPlan(session, CapabilityNeeds.ForRollback(request, config.Registry is not null, sessions.Count > 1), "podlift rollback")) continue;
            await PrintAsync(session.Agent.Rollback(request, cancellationToken), cancellationToken);
        }
    }

    public async Task PromoteAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        output.Line("Dry run: what `podlift promote` would do; nothing is changed.");
        await using var sessions = await ServerSession.ConnectAllAsync([config.Primary], ssh, cancellationToken);
        var primary = sessions.Single();
        output.Line($"{primary.Server.Host} (primary):");
        if (!CanPlan(primary, CapabilityNeeds.ForPromote(), "podlift promote")) return;
        var canary = PromoteCommand.ServingCanary(config, primary.Server, await primary.AppStateAsync(config.App, cancellationToken));
        output.Line($"  {CanaryCheck.Describe(canary)}");
        var request = PromoteCommand.RequestFor(config, Environment.UserName);
        request.DryRun = true;
        await PrintAsync(primary.Agent.Promote(request, cancellationToken), cancellationToken);
        if (config.Servers.Count > 1)
            output.Line($"Then {string.Join(", ", config.Servers.Where(s => s != config.Primary).Select(s => s.Host))} deploy {canary.Deployment.Version} one after another, as `podlift deploy` does (`podlift deploy --dry-run` shows their plans)");
    }

    /// <summary>What a real run would refuse is said, not hidden; an agent that cannot plan is asked to be upgraded.</summary>
    private bool CanPlan(ServerSession session, IReadOnlyList<CapabilityNeed> needs, string command)
    {
        var agent = session.Needs([.. needs, new CapabilityNeed(Capabilities.AgentPlans, "--dry-run (the agent's own plan)")]);
        if (CapabilityCheck.Refusal(command, [agent]) is not { } refusal)
        {
            foreach (var warning in CapabilityCheck.Warnings(agent)) output.Warn(warning);
            return true;
        }
        output.Fail($"{refusal.Message.Split('\n')[0]}: a real run would refuse; {CapabilityCheck.Fix}");
        return false;
    }

    private static async Task<string> ImageLineAsync(PodliftConfig config, ServerSession session, Release release, Platform platform, CancellationToken cancellationToken) =>
        await session.HasImageAsync(release.Image, cancellationToken) ? $"{release.Image} is already there; nothing to send"
        : config.Registry is { } registry ? $"{release.Image} would be built for {platform}, pushed to {registry.Server} (once per platform) and pulled here"
        : $"{release.Image} would be built for {platform} and sent (only the layers the server lacks)";

    private async Task PrintAsync(IAsyncEnumerable<DeployEvent> answers, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var answer in answers.WithCancellation(cancellationToken))
            {
                if (answer.Plan is { } plan) foreach (var line in PlanPrinter.Lines(plan)) output.Line(line);
                if (answer.Finished is { Success: false } refused) output.Fail($"  a real run would be refused: {refused.Error}");
            }
        }
        catch (AgentCallException e) when (e.Reason is AgentErrorReason.RollbackRefused or AgentErrorReason.NotFound or AgentErrorReason.NotDeployed)
        {
            output.Fail($"  a real run would be refused: {e.Detail}");
        }
    }

    private async Task<string> HeadAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        try
        {
            var commit = await Git.CleanHeadAsync(config.ProjectDirectory, cancellationToken);
            output.Ok($"git tree clean at {commit.ShortSha}");
            return commit.ShortSha;
        }
        catch (ValidationException e)
        {
            output.Fail($"{e.Message.Split('\n')[0]}: a real deploy would refuse");
            return await GitRefs.ShortShaAsync(config.ProjectDirectory, "HEAD", cancellationToken) ?? "uncommitted";
        }
    }
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>--dry-run: connects and asks the agents what runs, prints each server's plan, and changes nothing (no build either).</summary>
public sealed class DryRun(ConsoleOutput output, SshSettings ssh)
{
    public async Task DeployAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        output.Line("Dry run: what `podlift deploy` would do; nothing is built, sent or changed.");
        var commit = await HeadAsync(config, cancellationToken);
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        var release = new Release(commit, Release.ImageTag(config.Image, commit), Environment.UserName, "", await Git.SourceAsync(config.ProjectDirectory, cancellationToken));
        var addresses = sessions.Addresses();
        foreach (var session in sessions.OrderBy(s => s.Server == config.Primary ? 0 : 1))
        {
            var plan = DeployPlanner.For(config, session.Server, addresses, release, skipHealthcheck: false);
            var agent = session.Needs(CapabilityNeeds.ForDeploy(plan, config.Registry is not null));
            if (CapabilityCheck.Refusal("podlift deploy", [agent]) is { } refusal)
                output.Fail($"{refusal.Message.Split('\n')[0]}: a real deploy would refuse; {CapabilityCheck.Fix}");
            foreach (var warning in CapabilityCheck.Warnings(agent)) output.Warn(warning);
            var state = await session.AppStateAsync(config.App, cancellationToken);
            var present = await session.HasImageAsync(release.Image, cancellationToken);
            foreach (var line in DeployPreview.Deploy(config, session.Server, plan, state, present)) output.Line(line);
        }
    }

    public async Task RollbackAsync(PodliftConfig config, string? to, CancellationToken cancellationToken)
    {
        output.Line("Dry run: what `podlift rollback` would do; nothing is changed.");
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        var primaryState = await sessions.First(s => s.Server == config.Primary).AppStateAsync(config.App, cancellationToken);
        var target = to is null ? primaryState?.Previous?.Version : await GitRefs.ShortShaAsync(config.ProjectDirectory, to, cancellationToken) ?? to;
        if (string.IsNullOrEmpty(target))
            throw new ValidationException($"there is no earlier deployment of {config.App} to roll back to", "podlift ps --all lists the versions kept");
        output.Line($"Target: {target}");
        foreach (var session in sessions.OrderBy(s => s.Server == config.Primary ? 0 : 1))
            foreach (var line in DeployPreview.Rollback(session.Server, await session.AppStateAsync(config.App, cancellationToken), target, config.Registry?.Server)) output.Line(line);
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

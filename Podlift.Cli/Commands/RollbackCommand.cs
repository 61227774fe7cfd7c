using System.Diagnostics;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;
using Podlift.Cli.Delivery;
using Podlift.Cli.Jobs;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift rollback [--to tag|sha|version]`: the zero-downtime path in reverse, run by each agent on
/// the version's stopped containers (recreated from the recorded plan when they were pruned).
/// </summary>
public sealed class RollbackCommand(ConsoleOutput output, SshSettings ssh)
{
    public async Task RunAsync(PodliftConfig config, string? to, bool skipHealthcheck, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        output.Line(to is null ? "Finding previous deployment..." : $"Finding {to}...");
        var primary = sessions.First(s => s.Server == config.Primary);
        var state = await primary.AppStateAsync(config.App, cancellationToken)
            ?? throw new ValidationException($"{config.App} has not been deployed to {primary.Server.Host}", "deploy it first: podlift deploy");

        var version = to is null
            ? state.Previous?.Version ?? throw new ValidationException(
                $"there is no earlier deployment of {config.App} to roll back to (current: {state.Current?.Version ?? "none"})", "podlift ps --all lists the versions kept")
            : await GitRefs.ShortShaAsync(config.ProjectDirectory, to, cancellationToken) ?? to;
        if (Describe(state, version) is { } found) output.Line($"Found: {found}");

        var requestedBy = await Git.UserNameAsync(config.ProjectDirectory, cancellationToken) ?? Environment.UserName;
        RollbackRequest RequestFor(ServerSession session) => new()
        {
            App = config.App,
            To = version,
            SkipHealthcheck = skipHealthcheck,
            RequestedBy = requestedBy,
            DrainMilliseconds = (long)config.Drain.TotalMilliseconds,
            Hooks = session.Server == config.Primary ? DeployPlanner.HooksFor(config.Hooks) : new HooksPlan(),
        };
        CapabilityCheck.Require("podlift rollback", sessions.Select(session => session.Needs(
            CapabilityNeeds.ForRollback(RequestFor(session), config.Registry is not null, sessions.Count > 1))).ToList(), output);

        using var docker = config.Registry is null ? null : new LocalDocker(); // a rollback needs no local Docker without a registry
        var registry = config.Registry is { } registryConfig ? new RegistryTransfer(docker!, registryConfig) : null;
        var handoff = new PrimaryHandoff(config, primary, Task.FromResult(true), cancellationToken); // a rollback runs no release command
        var receipts = new List<SwitchReceipt?>();
        foreach (var session in sessions.PrimaryFirst(config.Primary))
        {
            if (sessions.Count > 1) output.Line($"Rolling back {session.Server.Host}...");
            if (registry is not null && session.Supports(Capabilities.PullImage))
                await RestoreImageAsync(registry, session, Release.ImageTag(config.Image, version), cancellationToken);
            var request = RequestFor(session);
            var finished = await JobWatcher.WatchAsync(session.Server.Host, session.Agent.Rollback(request, cancellationToken),
                output, DeployCommand.LogsHint(config), cancellationToken, handoff.For(session, output));
            receipts.Add(finished.Receipt);
        }

        output.Step(4, StepLayout.Rollback.Total, "Cleanup");
        output.Ok("Complete");
        output.Ok("Rollback successful!");
        if (Receipts.Summary(receipts) is { } served) output.Line($"Switch: {served}");
        output.Line($"Time: {Format.Duration(clock.Elapsed)}");
    }

    /// <summary>
    /// Registry mode: a version whose image was pruned from the server comes back from the registry. If the
    /// registry cannot give it, the agent refuses the rollback as it would without one, with nothing touched.
    /// </summary>
    private async Task RestoreImageAsync(RegistryTransfer registry, ServerSession session, string image, CancellationToken cancellationToken)
    {
        var host = session.Server.Host;
        if (await session.HasImageAsync(image, cancellationToken)) return;
        try
        {
            var pulled = await registry.PullAsync(session, image, output, cancellationToken);
            output.Ok($"{host} no longer had {image}; pulled it from {registry.Server}: {DeployCommand.Describe(pulled)}");
        }
        catch (PodliftException e) // a lost agent connection also fails the rollback call that follows, with its own message
        {
            output.Warn($"{host} no longer has {image}, and the registry could not give it back: {e.Message}");
        }
    }

    /// <summary>`x9y8z7w "Working version" (deployed 2h ago)`, from the agent's ledger. Pure.</summary>
    public static string? Describe(AppState state, string version)
    {
        var deploy = state.History.FirstOrDefault(h => h.Operation == Operation.Deploy
            && Versions.Match(h.Version, version));
        if (deploy is null) return null;
        var ago = Format.Ago(DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(deploy.StartedAtUnixMilliseconds));
        return $"{deploy.Version} \"{deploy.CommitMessage}\" (deployed {ago} ago)";
    }
}

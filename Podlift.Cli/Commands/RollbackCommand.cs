using System.Diagnostics;
using Podlift.Cli.Building;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Notifications;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;
using Podlift.Cli.Delivery;
using Podlift.Cli.Jobs;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift rollback [--to tag|sha|version]`: the zero-downtime path in reverse, run by each agent on
/// the version's stopped containers (recreated from the recorded plan when they were pruned). While a canary
/// serves, it removes the canary instead: every client back on the version that stayed current.
/// </summary>
public sealed class RollbackCommand(ConsoleOutput output, SshSettings ssh)
{
    /// <summary>The rollback, its events posted to podlift.yml's notify: URLs (started once the version is found, then succeeded or failed).</summary>
    /// <param name="atomic">--atomic: every server at once, and nothing switches until every one is ready (<see cref="AtomicRollout"/>).</param>
    public Task RunAsync(PodliftConfig config, string? to, bool skipHealthcheck, CancellationToken cancellationToken, bool atomic = false) =>
        Notices.RunAsync(config, output, Notices.Rollback, notices =>
            RollBackAsync(config, to, skipHealthcheck, AtomicRollout.AppliesTo(config, atomic ? Rollout.Atomic : Rollout.Serial), notices, cancellationToken));

    private async Task RollBackAsync(PodliftConfig config, string? to, bool skipHealthcheck, bool atomic, Notices notices, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        output.Line(to is null ? "Finding previous deployment..." : $"Finding {to}...");
        var primary = sessions.First(s => s.Server == config.Primary);
        var state = await primary.AppStateAsync(config.App, cancellationToken)
            ?? throw new ValidationException($"{config.App} has not been deployed to {primary.Server.Host}", "deploy it first: podlift deploy");

        var removesCanary = state.Canary is not null && to is null;
        var version = removesCanary ? state.Current?.Version ?? ""
            : to is null
            ? state.Previous?.Version ?? throw new ValidationException(
                $"there is no earlier deployment of {config.App} to roll back to (current: {state.Current?.Version ?? "none"})", "podlift ps --all lists the versions kept")
            : await GitRefs.ShortShaAsync(config.ProjectDirectory, to, cancellationToken) ?? to;
        if (removesCanary) output.Line($"Removing the canary: {CanaryCheck.Describe(state.Canary!)}; every client goes back to {version}");
        else if (Describe(state, version) is { } found) output.Line($"Found: {found}");

        var requestedBy = await Git.UserNameAsync(config.ProjectDirectory, cancellationToken) ?? Environment.UserName;
        await notices.StartedAsync(Notices.Subject(config, version, requestedBy), ("from", state.Current?.Version));
        RollbackRequest RequestFor(ServerSession session) => new()
        {
            App = config.App,
            To = removesCanary ? "" : version,
            SkipHealthcheck = skipHealthcheck,
            RequestedBy = requestedBy,
            DrainMilliseconds = (long)config.Drain.TotalMilliseconds,
            Hooks = session.Server == config.Primary ? DeployPlanner.HooksFor(config.Hooks) : new HooksPlan(),
            Atomic = atomic,
        };
        CapabilityCheck.Require("podlift rollback", sessions.Select(session => session.Needs(
            CapabilityNeeds.ForRollback(RequestFor(session), config.Registry is not null, sessions.Count > 1))).ToList(), output);

        using var docker = config.Registry is null ? null : new LocalDocker(); // a rollback needs no local Docker without a registry
        var registry = config.Registry is { } registryConfig ? new RegistryTransfer(docker!, registryConfig) : null;
        var image = Release.ImageTag(config.Image, version);
        // a canary runs on the primary alone: only its agent removes it
        var ordered = removesCanary ? [primary] : sessions.PrimaryFirst(config.Primary);
        var receipts = atomic
            ? await AtomicallyAsync(config, ordered, primary, RequestFor, registry, image, cancellationToken)
            : await SeriallyAsync(config, ordered, primary, RequestFor, registry, image, cancellationToken);

        if (!removesCanary) output.Step(4, StepLayout.Rollback.Total, "Cleanup");
        output.Ok("Complete");
        output.Ok(removesCanary ? $"Canary removed: every client is on {version}" : "Rollback successful!");
        if (Receipts.Summary(receipts) is { } served) output.Line($"Switch: {served}");
        output.Line($"Time: {Format.Duration(clock.Elapsed)}");
        await notices.SucceededAsync();
    }

    private async Task<IReadOnlyList<SwitchReceipt?>> SeriallyAsync(PodliftConfig config, IReadOnlyList<ServerSession> ordered, ServerSession primary,
        Func<ServerSession, RollbackRequest> requestFor, RegistryTransfer? registry, string image, CancellationToken cancellationToken)
    {
        var handoff = new PrimaryHandoff(config, primary, Task.FromResult(true), cancellationToken); // a rollback runs no release command
        var receipts = new List<SwitchReceipt?>();
        foreach (var session in ordered)
        {
            if (ordered.Count > 1) output.Line($"Rolling back {session.Server.Host}...");
            await RestoreImageIfPrunedAsync(registry, session, image, cancellationToken);
            var finished = await JobWatcher.WatchAsync(session.Server.Host, session.Agent.Rollback(requestFor(session), cancellationToken),
                output, DeployCommand.LogsHint(config), cancellationToken, handoff.For(session, output));
            receipts.Add(finished.Receipt);
        }
        return receipts;
    }

    /// <summary>Every server at once; each waits, ready, at its go, and the primary switches them all in one reload.</summary>
    private async Task<IReadOnlyList<SwitchReceipt?>> AtomicallyAsync(PodliftConfig config, IReadOnlyList<ServerSession> ordered, ServerSession primary,
        Func<ServerSession, RollbackRequest> requestFor, RegistryTransfer? registry, string image, CancellationToken cancellationToken)
    {
        output.Line("Rolling back all servers at once; nothing switches until every one is ready (atomic)...");
        var rollout = new AtomicRollout(config.App, ordered, primary, cancellationToken);
        var results = await Task.WhenAll(ordered.Select(async session =>
        {
            var console = output.WithPrefix($"{session.Server.Host}: ");
            var succeeded = false;
            try
            {
                await RestoreImageIfPrunedAsync(registry, session, image, cancellationToken);
                var finished = await JobWatcher.WatchAsync(session.Server.Host, session.Agent.Rollback(requestFor(session), cancellationToken),
                    console, DeployCommand.LogsHint(config), cancellationToken, rollout.For(session, console), session == primary ? rollout.OnPrimaryEvent : null);
                succeeded = true;
                return (Session: session, Finished: finished, Error: (PodliftException?)null);
            }
            catch (PodliftException e)
            {
                console.Error(e);
                return (Session: session, Finished: (DeployFinished?)null, Error: e);
            }
            finally
            {
                rollout.Ended(session, succeeded);
            }
        }));
        var failed = results.Where(r => r.Error is not null).ToList();
        if (failed.Count == 0) return results.Select(r => (SwitchReceipt?)r.Finished!.Receipt).ToList();
        if (rollout.StoppedBecause is { } stopped) output.Fail($"atomic rollback stopped before any server switched: {stopped}");
        throw new DeploymentException($"the rollback failed on {failed.Count} of {results.Length} servers: {string.Join(", ", failed.Select(f => f.Session.Server.Host))}",
            failed[0].Error!.Fix ?? DeployCommand.LogsHint(config));
    }

    private async Task RestoreImageIfPrunedAsync(RegistryTransfer? registry, ServerSession session, string image, CancellationToken cancellationToken)
    {
        if (registry is not null && session.Supports(Capabilities.PullImage)) await RestoreImageAsync(registry, session, image, cancellationToken);
    }

    /// <summary>
    /// Registry mode: a version whose image was pruned from the server comes back from the registry. If the
    /// registry cannot give it, the agent refuses the rollback as it would without one, with nothing touched.
    /// </summary>
    private async Task RestoreImageAsync(RegistryTransfer registry, ServerSession session, string image, CancellationToken cancellationToken)
    {
        var host = session.Server.Host;
        if (await session.HasImageAsync(image, cancellationToken)) return;
        PodliftException? refused = null;
        foreach (var pushedAs in PlatformPlan.PushedNames(image, Platform.OfServer(session.Hello!.Architecture)))
        {
            try
            {
                var pulled = await registry.PullAsync(session, image, output, cancellationToken, pushedAs);
                output.Ok($"{host} no longer had {image}; pulled it from {registry.Server}: {DeployCommand.Describe(pulled)}");
                return;
            }
            catch (PodliftException e) // a lost agent connection also fails the rollback call that follows, with its own message
            {
                refused ??= e;
            }
        }
        output.Warn($"{host} no longer has {image}, and the registry could not give it back: {refused!.Message}");
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

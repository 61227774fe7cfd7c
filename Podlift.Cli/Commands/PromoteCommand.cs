using System.Diagnostics;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Jobs;
using Podlift.Cli.Local;
using Podlift.Cli.Notifications;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift promote`: the canary `deploy --canary` left serving takes every client, with zero downtime: the primary's
/// agent checks its containers, starts the services that waited for it, switches nginx, and drains and stops the old.
/// On several servers the others then deploy the canary's version, as a serial deploy does (from the checkout at it).
/// </summary>
public sealed class PromoteCommand(ConsoleOutput output, SshSettings ssh)
{
    public Task RunAsync(PodliftConfig config, CancellationToken cancellationToken) =>
        Notices.RunAsync(config, output, Notices.Promote, notices => PromoteAsync(config, notices, cancellationToken));

    private async Task PromoteAsync(PodliftConfig config, Notices notices, CancellationToken cancellationToken)
    {
        if (config.Servers.Count > 1)
        {
            // the other servers have not run the canary's version yet: they deploy it, the primary first promoting its canary
            await new DeployCommand(output, ssh).PromoteAsync(config, notices, cancellationToken);
            return;
        }
        var clock = Stopwatch.StartNew();
        await using var sessions = await ServerSession.ConnectAllAsync([config.Primary], ssh, cancellationToken);
        var primary = sessions.Single();
        CapabilityCheck.Require("podlift promote", [primary.Needs(CapabilityNeeds.ForPromote())], output);
        var state = await primary.AppStateAsync(config.App, cancellationToken);
        var canary = ServingCanary(config, primary.Server, state);
        output.Line($"Promoting {canary.Deployment.Version}: {CanaryCheck.Describe(canary)} beside {state?.Current?.Version}...");

        var requestedBy = await Git.UserNameAsync(config.ProjectDirectory, cancellationToken) ?? Environment.UserName;
        await notices.StartedAsync(Notices.Subject(config, canary.Deployment.Version, requestedBy), ("from", state?.Current?.Version));
        var finished = await JobWatcher.WatchAsync(primary.Server.Host, primary.Agent.Promote(RequestFor(config, requestedBy), cancellationToken),
            output, DeployCommand.LogsHint(config), cancellationToken);

        output.Line();
        output.Ok("Promotion successful!");
        output.Line($"Version:  {finished.Version} \"{canary.Deployment.CommitMessage}\"");
        output.Line($"Previous: {finished.PreviousVersion}");
        if (Receipts.Summary([finished.Receipt]) is { } served) output.Line($"Switch:   {served}");
        output.Line($"Time:     {Format.Duration(clock.Elapsed)}");
        await notices.SucceededAsync(("previous", finished.PreviousVersion));
    }

    public static PromoteRequest RequestFor(PodliftConfig config, string requestedBy) => new()
    {
        App = config.App, RequestedBy = requestedBy, Hooks = DeployPlanner.HooksFor(config.Hooks), DrainMilliseconds = (long)config.Drain.TotalMilliseconds,
    };

    /// <summary>The canary the primary serves; none is refused (exit 3) before anything changes. Pure.</summary>
    public static CanaryState ServingCanary(PodliftConfig config, ServerConfig primary, AppState? state) =>
        state?.Canary ?? throw new ValidationException($"no canary of {config.App} serves on {primary.Host}: there is nothing to promote",
            "`podlift deploy --canary 10%` starts one; `podlift status` shows what serves");
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;
using Podlift.Cli.Jobs;

namespace Podlift.Cli.Commands;

/// <summary>`podlift attach`: replays, from the start, the deploy or rollback running now or last run on each server.</summary>
public sealed class AttachCommand(ConsoleOutput output, SshSettings ssh)
{
    public async Task RunAsync(PodliftConfig config, string? deployId, CancellationToken cancellationToken)
    {
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        CapabilityCheck.Require("podlift attach", sessions.Select(s => s.Needs(CapabilityNeeds.ForAttach())).ToList(), output);
        foreach (var session in sessions)
        {
            if (sessions.Count > 1) output.Line($"{session.Server.Host}:");
            var request = new AttachRequest { App = config.App, DeployId = deployId ?? "" };
            var finished = await JobWatcher.WatchAsync(session.Server.Host, session.Agent.Attach(request, cancellationToken),
                output, DeployCommand.LogsHint(config), cancellationToken);
            output.Ok($"{finished.Version} finished successfully on {session.Server.Host} ({Format.Duration(TimeSpan.FromMilliseconds(finished.DurationMilliseconds))})");
        }
    }
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift agent uninstall`: removes podlift-agent from every server over SSH, leaving the apps serving.
/// Every server is reached, and checked for a running deploy, before any of them is changed. With --dry-run
/// the same checks run, then each server is only asked whether it has the agent, and nothing is removed.
/// </summary>
public sealed class AgentUninstallCommand(ConsoleOutput output, SshSettings ssh, bool dryRun = false)
{
    public async Task RunAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        if (dryRun) output.Line("Dry run: what `podlift agent uninstall` would do on each server; nothing is removed.");
        await using var sessions = new ServerSessions();
        foreach (var server in config.Servers)
            sessions.Add(await ServerSession.ConnectAsync(server, ssh, cancellationToken));
        foreach (var session in sessions)
            await RefuseDuringDeployAsync(session, output, cancellationToken);

        foreach (var session in sessions)
        {
            var host = session.Server.Host;
            // as root like the removal, so that a missing sudo shows in a dry run too
            var result = await session.Ssh.RunScriptAsync(dryRun ? AgentUninstallPlan.Probe : AgentUninstallPlan.Script, sudo: true, cancellationToken);
            var outcome = AgentUninstallPlan.Parse(result.StandardOutput);
            if (!result.Succeeded || outcome == AgentUninstallOutcome.Unknown)
                throw new ConnectionException($"{host}: {(dryRun ? "checking for" : "removing")} the agent failed: {result.StandardError.Trim()}",
                    session.Target.IsRoot ? "see `journalctl -u podlift-agent` on the server" : $"{session.Target.User} needs passwordless sudo on the server");
            var group = AgentUninstallPlan.Describe(AgentUninstallPlan.ParseGroup(result.StandardOutput));
            var line = outcome switch
            {
                AgentUninstallOutcome.Removed => $"{host}: podlift-agent removed ({AgentUninstallPlan.Removes}){(group is null ? "" : $"; {group}")}; {AgentUninstallPlan.Keeps} are left serving",
                AgentUninstallOutcome.Installed => $"{host}: would remove podlift-agent ({AgentUninstallPlan.Removes}) and the podlift group; {AgentUninstallPlan.Keeps} would keep serving",
                _ => $"{host}: podlift-agent is not installed: nothing to remove",
            };
            if (dryRun) output.Line(line);
            else output.Ok(line);
        }
    }

    private static async Task RefuseDuringDeployAsync(ServerSession session, ConsoleOutput output, CancellationToken cancellationToken)
    {
        HelloReply hello;
        try
        {
            hello = await session.Agent.GreetAsync(cancellationToken);
        }
        catch (ConnectionException)
        {
            return; // no agent answers: there is nothing it could be in the middle of
        }
        CapabilityCheck.Require("podlift agent uninstall", [new AgentNeeds(session.Server.Host, hello, CapabilityNeeds.ForUninstall())], output);
        if (hello.ActiveDeploys.FirstOrDefault() is { } deploy)
            throw new ValidationException(
                $"{session.Server.Host}: a deploy of {deploy.App} {deploy.Version} is running (deploy id {deploy.DeployId}); removing the agent now would stop it halfway",
                "wait for it to finish (`podlift agent status` shows it), then uninstall");
    }
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift agent uninstall`: removes podlift-agent from every server over SSH, leaving the apps serving.
/// Every server is reached, and checked for a running deploy, before any of them is changed.
/// </summary>
public sealed class AgentUninstaller(ConsoleOutput output, SshSettings ssh)
{
    public async Task RunAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        await using var sessions = new ServerSessions();
        foreach (var server in config.Servers)
            sessions.Add(await ServerSession.ConnectAsync(server, ssh, cancellationToken));
        foreach (var session in sessions)
            await RefuseDuringDeployAsync(session, cancellationToken);

        foreach (var session in sessions)
        {
            var host = session.Server.Host;
            var result = await session.Ssh.RunScriptAsync(AgentUninstallPlan.Script, sudo: true, cancellationToken);
            var outcome = AgentUninstallPlan.Parse(result.StandardOutput);
            if (!result.Succeeded || outcome == AgentUninstallOutcome.Unknown)
                throw new ConnectionException($"{host}: removing the agent failed: {result.StandardError.Trim()}",
                    session.Server.User == "root" ? "see `journalctl -u podlift-agent` on the server" : $"{session.Server.User} needs passwordless sudo on the server");
            var group = AgentUninstallPlan.Describe(AgentUninstallPlan.ParseGroup(result.StandardOutput));
            output.Ok(outcome == AgentUninstallOutcome.Removed
                ? $"{host}: podlift-agent removed (service, unit, binary, {Path.GetDirectoryName(AgentProtocol.SocketPath)}){(group is null ? "" : $"; {group}")}; " +
                  "containers, /var/lib/podlift and nginx are left serving"
                : $"{host}: podlift-agent is not installed: nothing to remove");
        }
    }

    private static async Task RefuseDuringDeployAsync(ServerSession session, CancellationToken cancellationToken)
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
        if (hello.ActiveDeploys.FirstOrDefault() is { } deploy)
            throw new ValidationException(
                $"{session.Server.Host}: a deploy of {deploy.App} {deploy.Version} is running (deploy id {deploy.DeployId}); removing the agent now would stop it halfway",
                "wait for it to finish (`podlift agent status` shows it), then uninstall");
    }
}

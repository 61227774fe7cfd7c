using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift agent status`: per server, the agent's version, uptime, Docker, nginx, free disk and the deploys
/// it is running. Every server gets its line; if any agent does not answer, the command then fails (exit 5).
/// </summary>
public sealed class AgentStatusCommand(ConsoleOutput output, SshSettings ssh)
{
    public async Task RunAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        var reports = await AgentReport.CollectAsync(config.Servers, ssh, probeWhenSilent: true, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        foreach (var report in reports)
            foreach (var line in Lines(report, now))
                output.Line(line);

        var unhealthy = reports.Count(r => !r.Answered || !r.Compatible);
        if (unhealthy > 0)
            throw new ConnectionException($"{unhealthy} of {reports.Count} server(s) have no working podlift-agent",
                "the lines above say why; `podlift agent install` installs, upgrades or restarts it");
    }

    /// <summary>One report as lines: a ✓ or ✗ line for the server, then its running deploys. Pure.</summary>
    public static IEnumerable<string> Lines(AgentReport report, DateTimeOffset now)
    {
        var host = report.Server.Host;
        if (report.Hello is { } hello)
        {
            if (!report.Compatible)
            {
                yield return $"✗ {host}: podlift-agent {hello.AgentVersion} speaks protocol {hello.ProtocolVersion}, this podlift ({CliVersion.Current}) speaks {AgentProtocol.Version}: upgrade it with `podlift agent install`";
                yield break;
            }
            yield return $"✓ {host}: podlift-agent {hello.AgentVersion}, up {Format.Ago(TimeSpan.FromSeconds(hello.UptimeSeconds))}, " +
                         $"Docker {hello.DockerVersion} (API {hello.DockerApiVersion}), nginx {(hello.NginxVersion is { Length: > 0 } nginx ? nginx : "not found")}, " +
                         $"{Format.Bytes(hello.DiskFreeBytes)} free";
            if (report.CapabilitiesNote is { Length: > 0 } note) yield return $"    ⚠ {note}";
            if (!hello.Capabilities.Contains(Capabilities.ActiveDeploys)) yield return "    running deploys: this agent does not report them";
            else if (hello.ActiveDeploys.Count == 0) yield return "    no deploy running";
            foreach (var deploy in hello.ActiveDeploys)
            {
                var running = now - DateTimeOffset.FromUnixTimeMilliseconds(deploy.StartedAtUnixMilliseconds);
                var step = deploy.Step == DeployStep.Unspecified ? "starting" : StepLayout.Deploy.Title(deploy.Step);
                yield return $"    deploying {deploy.App} {deploy.Version} by {deploy.DeployedBy} for {Format.Ago(running)} (now: {step}; deploy id {deploy.DeployId})";
            }
            yield break;
        }

        yield return report.Installation switch
        {
            null => $"✗ {report.Error?.Message ?? $"{host}: no answer"}",
            { BinarySha256: null, UnitSha256: null } => $"✗ {host}: podlift-agent is not installed: `podlift agent install` installs it",
            { Active: false } probe => $"✗ {host}: podlift-agent {probe.Version ?? ""} is installed but not running: `podlift agent install` starts it, `journalctl -u podlift-agent` there says why it stopped",
            _ => $"✗ {host}: podlift-agent is running but does not answer on {AgentProtocol.SocketPath}: see `journalctl -u podlift-agent` there",
        };
    }
}

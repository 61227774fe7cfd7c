using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;

namespace Podlift.Cli.Commands;

public sealed record SetupOptions(bool Firewall, bool Security);

/// <summary>
/// `podlift setup`: takes each brand-new Debian/Ubuntu server to one podlift can deploy to: Docker,
/// nginx, a firewall and basic hardening, then the agent. Every step checks before it changes, so a
/// second run changes nothing and says so. With --dry-run it connects, checks the OS, prints the steps
/// it would run on each server, and changes nothing.
/// </summary>
public sealed class SetupCommand(ConsoleOutput output, SshSettings ssh, bool dryRun = false)
{
    private const int TotalSteps = 4;

    /// <summary>One script of a step: its name in messages, what it does in words (for --dry-run), and why it is skipped, if it is.</summary>
    private sealed record Part(int Step, string StepTitle, string Name, string Does, string Script, string? Skipped = null);

    /// <param name="sshPort">The port ssh really uses: the firewall must keep it open, or podlift is locked out.</param>
    private static IReadOnlyList<Part> Parts(SetupOptions options, int sshPort) =>
    [
        new(1, "Installing Docker", "Docker", "install docker.io unless Docker is there; enable and start it", SetupScripts.Docker),
        new(2, "Installing nginx", "nginx", "install nginx unless it is there; enable and start it", SetupScripts.Nginx),
        new(3, "Configuring firewall and security", "firewall",
            $"ufw: deny incoming but {sshPort}/tcp (SSH), 80/tcp and 443/tcp; enable it", SetupScripts.Firewall(sshPort),
            options.Firewall ? null : "firewall left as it is (--no-firewall)"),
        new(3, "Configuring firewall and security", "hardening",
            "sshd: no password logins (keys only, for root too), reloaded; fail2ban watching sshd", SetupScripts.Security,
            options.Security ? null : "SSH and fail2ban left as they are (--no-security)"),
    ];

    public async Task RunAsync(PodliftConfig config, SetupOptions options, CancellationToken cancellationToken)
    {
        if (dryRun) output.Line("Dry run: what `podlift setup` would do on each server; nothing is installed or changed.");
        foreach (var server in config.Servers)
            await SetUpAsync(server, options, cancellationToken);
        if (dryRun) return;
        output.Ok(config.Servers.Count > 1 ? "All servers are ready: podlift deploy" : "Server is ready: podlift deploy");
    }

    private async Task SetUpAsync(ServerConfig server, SetupOptions options, CancellationToken cancellationToken)
    {
        output.Line($"{(dryRun ? "Would set up" : "Setting up")} {server.Host}...");
        var changed = false;
        await using (var connection = await SshConnection.OpenAsync(server, ssh, cancellationToken))
        {
            var osRelease = await connection.RunAsync("cat /etc/os-release", cancellationToken: cancellationToken);
            output.Ok($"{SupportedOs.Check(server.Host, osRelease.StandardOutput)}, login as {connection.Target.User}{(connection.Target.IsRoot ? "" : " (with sudo)")}");
            // the agent comes last: a server it cannot run on is refused before Docker or nginx are installed
            AgentBinary.For(server.Host, (await connection.RunAsync("uname -m", cancellationToken: cancellationToken)).StandardOutput);

            var step = 0;
            foreach (var part in Parts(options, connection.Target.Port))
            {
                if (part.Step != step) output.Step(step = part.Step, TotalSteps, part.StepTitle);
                if (part.Skipped is { } skipped) output.Line(skipped);
                else if (dryRun) output.Line($"  would run the {part.Name} step: {part.Does}");
                else changed |= await StepAsync(connection, part.Script, part.Name, cancellationToken);
            }
        }

        output.Step(4, TotalSteps, "Installing podlift-agent");
        changed |= await new AgentInstallCommand(output, ssh, dryRun).InstallAsync(server, cancellationToken);
        if (!dryRun) output.Ok(changed ? $"{server.Host} is set up" : $"{server.Host} was already set up: no change");
    }

    /// <summary>Runs one step's script as root; true when it changed something.</summary>
    private async Task<bool> StepAsync(SshConnection connection, string script, string what, CancellationToken cancellationToken)
    {
        var result = await connection.RunScriptAsync(script, sudo: true, cancellationToken);
        if (!result.Succeeded)
            throw new DeploymentException(
                $"{connection.Server.Host}: setting up {what} failed (exit {result.ExitCode}):\n{Tail(result.StandardError + result.StandardOutput)}",
                connection.Target.IsRoot ? "fix the cause on the server, then run `podlift setup` again" : $"{connection.Target.User} needs passwordless sudo; then run `podlift setup` again");
        var step = SetupScripts.Parse(result.StandardOutput);
        if (step.Changed) output.Ok($"{step.Detail} (installed/configured)");
        else output.Ok($"{step.Detail} (already installed)");
        return step.Changed;
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(15).Select(l => "  " + l));
}

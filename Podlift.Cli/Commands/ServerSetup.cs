using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;

namespace Podlift.Cli.Commands;

public sealed record SetupOptions(bool Firewall, bool Security);

/// <summary>
/// `podlift setup`: takes each brand-new Debian/Ubuntu server to one podlift can deploy to: Docker,
/// nginx, a firewall and basic hardening, then the agent. Every step checks before it changes, so a
/// second run changes nothing and says so.
/// </summary>
public sealed class ServerSetup(ConsoleOutput output, SshSettings ssh)
{
    private const int TotalSteps = 4;

    public async Task RunAsync(PodliftConfig config, SetupOptions options, CancellationToken cancellationToken)
    {
        foreach (var server in config.Servers)
            await SetUpAsync(server, options, cancellationToken);
        output.Ok(config.Servers.Count > 1 ? "All servers are ready: podlift deploy" : "Server is ready: podlift deploy");
    }

    private async Task SetUpAsync(ServerConfig server, SetupOptions options, CancellationToken cancellationToken)
    {
        output.Line($"Setting up {server.Host}...");
        var changed = false;
        await using (var connection = await SshConnection.OpenAsync(server, ssh, cancellationToken))
        {
            var osRelease = await connection.RunAsync("cat /etc/os-release", cancellationToken: cancellationToken);
            output.Ok($"{SupportedOs.Check(server.Host, osRelease.StandardOutput)}, login as {connection.Target.User}{(connection.Target.IsRoot ? "" : " (with sudo)")}");

            output.Step(1, TotalSteps, "Installing Docker");
            changed |= await StepAsync(connection, SetupScripts.Docker, "Docker", cancellationToken);
            output.Step(2, TotalSteps, "Installing nginx");
            changed |= await StepAsync(connection, SetupScripts.Nginx, "nginx", cancellationToken);
            output.Step(3, TotalSteps, "Configuring firewall and security");
            // the port ssh really uses (podlift.yml's, else ssh config's): closing it would lock podlift out
            if (options.Firewall) changed |= await StepAsync(connection, SetupScripts.Firewall(connection.Target.Port), "firewall", cancellationToken);
            else output.Line("firewall left as it is (--no-firewall)");
            if (options.Security) changed |= await StepAsync(connection, SetupScripts.Security, "hardening", cancellationToken);
            else output.Line("SSH and fail2ban left as they are (--no-security)");
        }

        output.Step(4, TotalSteps, "Installing podlift-agent");
        changed |= await new AgentInstaller(output, ssh).InstallAsync(server, cancellationToken);
        output.Ok(changed ? $"{server.Host} is set up" : $"{server.Host} was already set up: no change");
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

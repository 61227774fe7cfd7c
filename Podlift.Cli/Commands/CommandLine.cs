using System.CommandLine;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;

namespace Podlift.Cli.Commands;

/// <summary>The command tree: parsing and wiring only; each command's work lives in its own class.</summary>
public static class CommandLine
{
    private static readonly Option<string> ConfigOption = new("--config", "-c")
    {
        Description = "Configuration file",
        DefaultValueFactory = _ => "podlift.yml",
        Recursive = true,
    };

    private static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "Show the agent's detailed events and the SSH commands podlift runs",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("podlift: zero-downtime Docker deploys to your own Linux servers");
        root.Options.Add(ConfigOption);
        root.Options.Add(VerboseOption);
        root.Subcommands.Add(Deploy());
        root.Subcommands.Add(Setup());
        root.Subcommands.Add(Agent());
        root.Subcommands.Add(Rollback());
        root.Subcommands.Add(Ps());
        root.Subcommands.Add(Status());
        root.Subcommands.Add(Attach());
        root.Subcommands.Add(Version());
        return root;
    }

    private static Command Deploy()
    {
        var skipBuild = new Option<bool>("--skip-build") { Description = "Deploy the image already built for this commit" };
        var skipHealthcheck = new Option<bool>("--skip-healthcheck") { Description = "Switch traffic without waiting for health checks" };
        var parallel = new Option<bool>("--parallel") { Description = "Deploy to all servers at once instead of one after another" };
        var command = new Command("deploy", "Build, transfer and switch every server to the current commit with zero downtime") { skipBuild, skipHealthcheck, parallel };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            new Deployer(output, ssh).RunAsync(config, new DeployOptions(parse.GetValue(skipBuild), parse.GetValue(skipHealthcheck), parse.GetValue(parallel)), cancellationToken)));
        return command;
    }

    private static Command Rollback()
    {
        var to = new Option<string?>("--to") { Description = "A git tag, commit or deployed version still on the servers (default: the last successful deployment before the current one)" };
        var skipHealthcheck = new Option<bool>("--skip-healthcheck") { Description = "Switch traffic without waiting for health checks" };
        var command = new Command("rollback", "Return to an earlier version with zero downtime") { to, skipHealthcheck };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            new Rollbacker(output, ssh).RunAsync(config, parse.GetValue(to), parse.GetValue(skipHealthcheck), cancellationToken)));
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "Current and previous deployment, health per server, URL, recent history");
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new StatusReporter(output, ssh).RunAsync(config, cancellationToken)));
        return command;
    }

    private static Command Attach()
    {
        var id = new Option<string?>("--id") { Description = "A deploy id (default: the running job, else the last one)" };
        var command = new Command("attach", "Replay the events of the deploy or rollback running now or last run") { id };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new Attacher(output, ssh).RunAsync(config, parse.GetValue(id), cancellationToken)));
        return command;
    }

    private static Command Setup()
    {
        var noFirewall = new Option<bool>("--no-firewall") { Description = "Leave the firewall as it is" };
        var noSecurity = new Option<bool>("--no-security") { Description = "Leave SSH settings and fail2ban as they are" };
        var command = new Command("setup", "Prepare fresh Debian/Ubuntu servers: Docker, nginx, firewall, hardening, podlift-agent (idempotent)") { noFirewall, noSecurity };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            new ServerSetup(output, ssh).RunAsync(config, new SetupOptions(!parse.GetValue(noFirewall), !parse.GetValue(noSecurity)), cancellationToken)));
        return command;
    }

    private static Command Agent()
    {
        var install = new Command("install", "Install or upgrade podlift-agent as a systemd service on every server (idempotent)");
        install.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new AgentInstaller(output, ssh).RunAsync(config, cancellationToken)));
        return new Command("agent", "Manage podlift-agent on the servers") { install };
    }

    private static Command Ps()
    {
        var all = new Option<bool>("--all", "-a") { Description = "Also show stopped and previous versions" };
        var command = new Command("ps", "Services, replicas, health, version and uptime, as the agents report them") { all };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new StatusReader(output, ssh).RunAsync(config, parse.GetValue(all), cancellationToken)));
        return command;
    }

    private static Command Version()
    {
        var command = new Command("version", "Show podlift's version");
        command.SetAction(_ =>
        {
            Console.WriteLine($"podlift {CliVersion.Current} ({System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
                              $"{System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier})");
            return 0;
        });
        return command;
    }

    /// <summary>Loads the configuration, runs the command, and turns failures into the documented exit codes.</summary>
    private static async Task<int> Run(ParseResult parse, Func<PodliftConfig, ConsoleOutput, SshSettings, Task> body)
    {
        var output = ConsoleOutput.ForConsole(parse.GetValue(VerboseOption));
        try
        {
            var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
            var config = ConfigLoader.Load(parse.GetValue(ConfigOption)!, environment);
            await body(config, output, SshSettings.FromEnvironment(output.Verbose ? output.Detail : null));
            return (int)ExitCode.Success;
        }
        catch (PodliftException e)
        {
            output.Error(e);
            return (int)e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            output.Error("interrupted; a deploy already handed to an agent goes on there (`podlift ps` shows it)");
            return 130;
        }
    }
}

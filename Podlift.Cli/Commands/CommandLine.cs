using System.CommandLine;
using System.CommandLine.Parsing;
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

    private static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "One JSON object per line for every progress event and the result (for CI)",
        Recursive = true,
    };

    private static readonly Option<bool> NoColorOption = new("--no-color")
    {
        Description = "No colour in the output (as NO_COLOR=1 does); colour is only ever used on a terminal",
        Recursive = true,
    };

    private static readonly Option<bool> DryRunOption = new("--dry-run")
    {
        Description = "Print what the command would change, and change nothing (commands that only read run as they are; exec refuses it)",
        Recursive = true,
    };

    /// <summary>
    /// What every command does with --dry-run, in one place: a command that changes servers or local files prints
    /// its plan instead, one that only reads runs as it is, and one that cannot preview refuses the flag (exit 2,
    /// before anything is read). <see cref="Build"/> fails for a command missing here, so none ignores the flag.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, DryRunPolicy> DryRunPolicies = new Dictionary<string, DryRunPolicy>
    {
        ["init"] = DryRunPolicy.PrintsPlan,
        ["deploy"] = DryRunPolicy.PrintsPlan,
        ["rollback"] = DryRunPolicy.PrintsPlan,
        ["promote"] = DryRunPolicy.PrintsPlan,
        ["setup"] = DryRunPolicy.PrintsPlan,
        ["ssl setup"] = DryRunPolicy.PrintsPlan,
        ["ssl renew"] = DryRunPolicy.PrintsPlan,
        ["agent install"] = DryRunPolicy.PrintsPlan,
        ["agent uninstall"] = DryRunPolicy.PrintsPlan,
        ["validate"] = DryRunPolicy.ReadsOnly,
        ["ssl status"] = DryRunPolicy.ReadsOnly,
        ["agent status"] = DryRunPolicy.ReadsOnly,
        ["ps"] = DryRunPolicy.ReadsOnly,
        ["status"] = DryRunPolicy.ReadsOnly,
        ["attach"] = DryRunPolicy.ReadsOnly,
        ["logs"] = DryRunPolicy.ReadsOnly,
        ["config"] = DryRunPolicy.ReadsOnly,
        ["version"] = DryRunPolicy.ReadsOnly,
        ["completion"] = DryRunPolicy.ReadsOnly,
        ["help"] = DryRunPolicy.ReadsOnly,
        ["exec"] = DryRunPolicy.Refused("it runs a command in a container, which a preview cannot show without running it"),
    };

    /// <summary>Parses a podlift command line; everything after `exec &lt;service&gt;` is the command to run, options included.</summary>
    public static ParseResult Parse(string[] args) => Build().Parse(ExecArguments.Normalize(args));

    public static RootCommand Build()
    {
        var root = new RootCommand("podlift: zero-downtime Docker deploys to your own Linux servers");
        root.Options.Add(ConfigOption);
        root.Options.Add(VerboseOption);
        root.Options.Add(JsonOption);
        root.Options.Add(DryRunOption);
        root.Options.Add(NoColorOption);
        root.Subcommands.Add(Init());
        root.Subcommands.Add(Deploy());
        root.Subcommands.Add(Setup());
        root.Subcommands.Add(Validate());
        root.Subcommands.Add(Ssl());
        root.Subcommands.Add(Agent());
        root.Subcommands.Add(Rollback());
        root.Subcommands.Add(Promote());
        root.Subcommands.Add(Ps());
        root.Subcommands.Add(Status());
        root.Subcommands.Add(Attach());
        root.Subcommands.Add(Logs());
        root.Subcommands.Add(Exec());
        root.Subcommands.Add(Config());
        root.Subcommands.Add(Version());
        root.Subcommands.Add(Completion());
        root.Subcommands.Add(Help());
        RequireDryRunPolicies(root);
        return root;
    }

    private static void RequireDryRunPolicies(Command command, string path = "")
    {
        if (command.Subcommands.Count == 0 && !DryRunPolicies.ContainsKey(path))
            throw new InvalidOperationException($"`podlift {path}` has no entry in CommandLine.DryRunPolicies: say whether it prints a plan, only reads, or refuses --dry-run");
        foreach (var subcommand in command.Subcommands)
            RequireDryRunPolicies(subcommand, path.Length == 0 ? subcommand.Name : $"{path} {subcommand.Name}");
    }

    /// <summary>The usage error for --dry-run on a command that refuses it; null when the command may run.</summary>
    public static ConfigurationException? DryRunRefusal(ParseResult parse)
    {
        var path = PathOf(parse.CommandResult);
        return parse.GetValue(DryRunOption) && DryRunPolicies.GetValueOrDefault(path) is { Mode: DryRunMode.Refused } policy
            ? new ConfigurationException($"`podlift {path}` does not take --dry-run: {policy.WhyRefused}; nothing was done", "drop --dry-run")
            : null;
    }

    /// <summary>"agent install": the command's name under the root.</summary>
    private static string PathOf(CommandResult command)
    {
        var names = new List<string>();
        for (var result = command; result.Parent is CommandResult parent; result = parent) names.Insert(0, result.Command.Name);
        return string.Join(' ', names);
    }

    private static Command Init()
    {
        var command = new Command("init", "Write a commented podlift.yml and .env.example for this directory (never overwrites)");
        command.SetAction((parse, _) => RunWithoutConfig(parse, (output, _) =>
        {
            new InitCommand(output).Run(parse.GetValue(ConfigOption)!, parse.GetValue(DryRunOption));
            return Task.CompletedTask;
        }));
        return command;
    }

    private static Command Deploy()
    {
        var skipBuild = new Option<bool>("--skip-build") { Description = "Deploy the image already built for this commit" };
        var skipHealthcheck = new Option<bool>("--skip-healthcheck") { Description = "Switch traffic without waiting for health checks" };
        var parallel = new Option<int?>("--parallel")
        {
            Description = "Deploy to all servers at once instead of one after another; --parallel N: N servers at a time, batch after batch",
            Arity = ArgumentArity.ZeroOrOne, HelpName = "N",
        };
        var atomic = new Option<bool>("--atomic") { Description = "All servers at once, all or nothing: nothing switches until every server is ready" };
        var canary = new Option<string?>("--canary")
        {
            Description = "The new version takes this share of fresh clients (10%) beside the old, until `podlift promote` or `podlift rollback`", HelpName = "SHARE",
        };
        var canaryHold = new Option<string?>("--canary-hold") { Description = "Watch the canary this long (5m), then promote it; above --max-error-rate it is removed", HelpName = "DURATION" };
        var maxErrorRate = new Option<string?>("--max-error-rate") { Description = "A held canary's limit of 5xx answers and failed attempts (default 1%)", HelpName = "SHARE" };
        var command = new Command("deploy", "Build, transfer and switch every server to the current commit with zero downtime")
        {
            skipBuild, skipHealthcheck, parallel, atomic, canary, canaryHold, maxErrorRate,
        };
        DeployOptions Options(ParseResult parse) => new(parse.GetValue(skipBuild), parse.GetValue(skipHealthcheck),
            Parallel: parse.GetResult(parallel) is not null, Atomic: parse.GetValue(atomic), Batch: parse.GetValue(parallel),
            Canary: CanaryRollout.From(parse.GetValue(canary), parse.GetValue(canaryHold), parse.GetValue(maxErrorRate)));
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            parse.GetValue(DryRunOption)
                ? new DryRun(output, ssh).DeployAsync(config, Options(parse) with { SkipBuild = false, SkipHealthcheck = false }, cancellationToken)
                : new DeployCommand(output, ssh).RunAsync(config, Options(parse), cancellationToken)));
        return command;
    }

    private static Command Rollback()
    {
        var to = new Option<string?>("--to") { Description = "A git tag, commit or deployed version still on the servers (default: the last successful deployment before the current one)" };
        var skipHealthcheck = new Option<bool>("--skip-healthcheck") { Description = "Switch traffic without waiting for health checks" };
        var atomic = new Option<bool>("--atomic") { Description = "All servers at once, all or nothing: nothing switches until every server is ready" };
        var command = new Command("rollback", "Return to an earlier version with zero downtime (during a canary: remove it)") { to, skipHealthcheck, atomic };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            parse.GetValue(DryRunOption)
                ? new DryRun(output, ssh).RollbackAsync(config, parse.GetValue(to), cancellationToken, parse.GetValue(atomic))
                : new RollbackCommand(output, ssh).RunAsync(config, parse.GetValue(to), parse.GetValue(skipHealthcheck), cancellationToken, parse.GetValue(atomic))));
        return command;
    }

    private static Command Promote()
    {
        var command = new Command("promote", "Switch every client to the canary that `deploy --canary` left serving, with zero downtime");
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            parse.GetValue(DryRunOption)
                ? new DryRun(output, ssh).PromoteAsync(config, cancellationToken)
                : new PromoteCommand(output, ssh).RunAsync(config, cancellationToken)));
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "Current and previous deployment, health per server, URL, recent history");
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new StatusCommand(output, ssh).RunAsync(config, cancellationToken)));
        return command;
    }

    private static Command Attach()
    {
        var id = new Option<string?>("--id") { Description = "A deploy id (default: the running job, else the last one)" };
        var command = new Command("attach", "Replay the events of the deploy or rollback running now or last run") { id };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new AttachCommand(output, ssh).RunAsync(config, parse.GetValue(id), cancellationToken)));
        return command;
    }

    private static Command Validate()
    {
        var command = new Command("validate", "Check everything a deploy needs, without changing anything (exit 3 when a check fails)");
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new ValidateCommand(output, ssh).RunAsync(config, cancellationToken)));
        return command;
    }

    private static Command Setup()
    {
        var noFirewall = new Option<bool>("--no-firewall") { Description = "Leave the firewall as it is" };
        var noSecurity = new Option<bool>("--no-security") { Description = "Leave SSH settings and fail2ban as they are" };
        var command = new Command("setup", "Prepare fresh Debian/Ubuntu servers: Docker, nginx, firewall, hardening, podlift-agent (idempotent)") { noFirewall, noSecurity };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            new SetupCommand(output, ssh, parse.GetValue(DryRunOption)).RunAsync(config, new SetupOptions(!parse.GetValue(noFirewall), !parse.GetValue(noSecurity)), cancellationToken)));
        return command;
    }

    private static Command Ssl()
    {
        var email = new Option<string?>("--email") { Description = "Address for the ACME account and expiry notices (default: proxy.ssl_email)" };
        var setup = new Command("setup", "Get a certificate for `domain` on the primary and serve HTTPS (HTTP redirects)") { email };
        setup.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            new SslCommand(output, ssh, parse.GetValue(DryRunOption)).SetupAsync(config, parse.GetValue(email), cancellationToken)));
        var force = new Option<bool>("--force") { Description = "Renew even if the certificate is not close to expiry" };
        var renew = new Command("renew", "Renew the certificate now (certbot's timer also does it on its own)") { force };
        renew.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            new SslCommand(output, ssh, parse.GetValue(DryRunOption)).RenewAsync(config, parse.GetValue(force), cancellationToken)));
        var status = new Command("status", "Issuer, expiry, days left and whether renewal is scheduled");
        status.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new SslCommand(output, ssh).StatusAsync(config, cancellationToken)));
        return new Command("ssl", "HTTPS for `domain` on the primary") { setup, renew, status };
    }

    private static Command Agent()
    {
        var install = new Command("install", "Install or upgrade podlift-agent as a systemd service on every server (idempotent)");
        install.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            new AgentInstallCommand(output, ssh, dryRun: parse.GetValue(DryRunOption)).RunAsync(config, cancellationToken)));
        var status = new Command("status", "Per server: the agent's version, uptime, Docker, nginx, free disk and running deploys");
        status.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new AgentStatusCommand(output, ssh).RunAsync(config, cancellationToken)));
        var uninstall = new Command("uninstall", "Remove podlift-agent from every server; containers, state and nginx keep serving (idempotent)");
        uninstall.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
            new AgentUninstallCommand(output, ssh, parse.GetValue(DryRunOption)).RunAsync(config, cancellationToken)));
        return new Command("agent", "Manage podlift-agent on the servers") { install, status, uninstall };
    }

    private static Command Ps()
    {
        var all = new Option<bool>("--all", "-a") { Description = "Also show stopped and previous versions" };
        var command = new Command("ps", "Services, replicas, health, version and uptime, as the agents report them") { all };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) => new PsCommand(output, ssh).RunAsync(config, parse.GetValue(all), cancellationToken)));
        return command;
    }

    private static Command Logs()
    {
        var service = new Argument<string>("service") { Description = "The service whose containers to show, such as web" };
        var tail = new Option<string>("--tail", "-n") { Description = "Lines from the end of each replica's log, or all", DefaultValueFactory = _ => "100" };
        var since = new Option<string?>("--since") { Description = "Only lines since a duration ago (2h, 30m) or a timestamp (2025-01-31T14:00:00Z)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep streaming new lines until Ctrl-C" };
        var command = new Command("logs", "Log lines of every replica on every server, prefixed [web-1]") { service, tail, since, follow };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, output, ssh) =>
        {
            var options = LogsOptions.Parse(parse.GetValue(service)!, parse.GetValue(tail)!, parse.GetValue(since), parse.GetValue(follow), DateTimeOffset.UtcNow);
            return new LogsCommand(output, ssh).RunAsync(config, options, cancellationToken);
        }));
        return command;
    }

    private static Command Exec()
    {
        var service = new Argument<string>("service") { Description = "The service to run the command in, such as web" };
        var commandLine = new Argument<string[]>("command") { Description = "The command and its arguments", Arity = ArgumentArity.OneOrMore };
        var replica = new Option<string>("--replica") { Description = "Which replica (1, 2, ...) on the first server that runs the service", DefaultValueFactory = _ => "1" };
        var command = new Command("exec", "Run a command in a running container; interactive when stdin and stdout are a terminal. " +
                                          "Options go before <service>: everything after it is the command. Exits with the command's exit code")
        {
            service, commandLine, replica,
        };
        command.SetAction((parse, cancellationToken) => Run(parse, (config, _, ssh) =>
        {
            var options = ExecOptions.Parse(parse.GetValue(service)!, parse.GetValue(replica)!, parse.GetValue(commandLine)!);
            return new ExecCommand(ssh).RunAsync(config, options, cancellationToken);
        }));
        return command;
    }

    private static Command Config()
    {
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Show env values instead of ********" };
        var command = new Command("config", "The resolved configuration as YAML: defaults filled in, variables expanded, env values masked") { showSecrets };
        command.SetAction((parse, _) => Run(parse, (config, output, _) =>
        {
            output.Line(ConfigRenderer.Render(config, parse.GetValue(showSecrets)).TrimEnd('\n'));
            return Task.CompletedTask;
        }));
        return command;
    }

    private static Command Version()
    {
        var command = new Command("version", "podlift's version, runtime and OS/arch, and each server's agent version");
        command.SetAction((parse, cancellationToken) =>
        {
            // outside a project there are no servers to ask; a podlift.yml that is there, or named by --config, must be valid
            var outsideProject = parse.GetResult(ConfigOption) is null or { Implicit: true } && !File.Exists(parse.GetValue(ConfigOption));
            return outsideProject
                ? RunWithoutConfig(parse, (output, ssh) => new VersionCommand(output, ssh).RunAsync(null, cancellationToken))
                : Run(parse, (config, output, ssh) => new VersionCommand(output, ssh).RunAsync(config, cancellationToken));
        });
        return command;
    }

    private static Command Completion()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong([.. CompletionScripts.Shells]);
        var command = new Command("completion", "Print a shell completion script: source <(podlift completion bash), or zsh; podlift completion fish | source") { shell };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(CompletionScripts.For(parse.GetValue(shell)!, Build()));
            return 0;
        });
        return command;
    }

    private static Command Help()
    {
        var names = new Argument<string[]>("command") { Description = "A command, such as deploy or agent install", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("help", "What podlift or one of its commands does, with its flags: podlift help agent install") { names };
        command.SetAction((parse, cancellationToken) =>
        {
            var path = parse.GetValue(names) ?? [];
            if (!NamesCommand(Build(), path))
            {
                parse.InvocationConfiguration.Error.WriteLine($"ERROR: podlift has no command `{string.Join(' ', path)}`\n→ `podlift help` lists them");
                return Task.FromResult((int)ExitCode.General);
            }
            return Build().Parse([.. path, "--help"]).InvokeAsync(parse.InvocationConfiguration, cancellationToken);
        });
        return command;
    }

    /// <summary>Whether the words name a command of the tree (none: the root).</summary>
    private static bool NamesCommand(Command command, IReadOnlyList<string> path) =>
        path.Count == 0 || command.Subcommands.FirstOrDefault(c => c.Name == path[0]) is { } sub && NamesCommand(sub, path.Skip(1).ToList());

    /// <summary>Loads the configuration, runs the command, and turns failures into the documented exit codes.</summary>
    private static Task<int> Run(ParseResult parse, Func<PodliftConfig, ConsoleOutput, SshSettings, Task> body) =>
        Run(parse, async (config, output, ssh) =>
        {
            await body(config, output, ssh);
            return (int)ExitCode.Success;
        });

    /// <summary>As above, for a command whose exit code is its own (exec passes on the remote command's).</summary>
    private static Task<int> Run(ParseResult parse, Func<PodliftConfig, ConsoleOutput, SshSettings, Task<int>> body) =>
        Guarded(parse, (output, ssh) =>
        {
            var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
            var config = ConfigLoader.Load(parse.GetValue(ConfigOption)!, environment);
            return body(config, output, ssh);
        });

    /// <summary>For commands that need no podlift.yml (init, version outside a project).</summary>
    private static Task<int> RunWithoutConfig(ParseResult parse, Func<ConsoleOutput, SshSettings, Task> body) =>
        Guarded(parse, async (output, ssh) =>
        {
            await body(output, ssh);
            return (int)ExitCode.Success;
        });

    /// <summary>Turns failures into the documented exit codes: the error and its fix on stderr.</summary>
    private static async Task<int> Guarded(ParseResult parse, Func<ConsoleOutput, SshSettings, Task<int>> body)
    {
        var output = ConsoleOutput.ForConsole(parse.GetValue(VerboseOption), parse.GetValue(JsonOption), parse.GetValue(NoColorOption));
        try
        {
            if (DryRunRefusal(parse) is { } refusal) throw refusal;
            var exitCode = await body(output, SshSettings.FromEnvironment(output.Verbose ? output.Detail : null));
            output.Result((ExitCode)exitCode);
            return exitCode;
        }
        catch (PodliftException e)
        {
            output.Error(e);
            output.Result(e.ExitCode);
            return (int)e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            output.Error("interrupted; a deploy already handed to an agent goes on there (`podlift ps` shows it)");
            return 130;
        }
    }
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;
using Podlift.Cli.Delivery;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift validate`: everything a deploy needs, checked without changing anything, one line per
/// check (✓ ✗ ⚠) with the fix beside each failure. Exit 3 when a check fails.
/// </summary>
public sealed class ValidateCommand(ConsoleOutput output, SshSettings ssh)
{
    private readonly List<Check> _checks = [];

    public async Task RunAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        Report(Check.Pass($"{Path.GetFileName(config.SourcePath)}: valid, every ${{VAR}} is set ({config.App}: {config.Services.Count} service(s) on {config.Servers.Count} server(s))"));
        await CheckGitAsync(config, cancellationToken);
        if (config.Registry is { } registry) await CheckRegistryAsync(registry, cancellationToken);
        var source = await Git.SourceAsync(config.ProjectDirectory, cancellationToken);
        foreach (var server in config.Servers)
        {
            output.Line($"{server.Host}:");
            await CheckServerAsync(config, server, source, cancellationToken);
        }

        var failed = _checks.Count(c => c.Status == CheckStatus.Failed);
        var warned = _checks.Count(c => c.Status == CheckStatus.Warning);
        output.Line();
        output.Line($"{_checks.Count - failed - warned} passed, {warned} warning(s), {failed} failed");
        if (failed > 0) throw new ValidationException($"{failed} check(s) failed; nothing was changed", "fix the checks marked ✗ above, then run `podlift validate` again");
    }

    private async Task CheckGitAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        try
        {
            var commit = await Git.CleanHeadAsync(config.ProjectDirectory, cancellationToken);
            Report(Check.Pass($"git: clean at {commit.ShortSha} \"{commit.Subject}\""));
        }
        catch (ValidationException e)
        {
            Report(Check.Fail($"git: {e.Message.Split('\n')[0]}", e.Fix));
        }
    }

    private async Task CheckRegistryAsync(RegistryConfig registry, CancellationToken cancellationToken)
    {
        if (registry.Username is null)
        {
            Report(Check.Pass($"registry {registry.Server}: no login (anonymous push and pull)"));
            return;
        }
        try
        {
            using var docker = new LocalDocker();
            await new RegistryTransfer(docker, registry).CheckLoginAsync(cancellationToken);
            Report(Check.Pass($"registry {registry}: login accepted"));
        }
        catch (PodliftException e)
        {
            Report(Check.Fail(e.Message.Split('\n')[0], e.Fix));
        }
    }

    private async Task CheckServerAsync(PodliftConfig config, ServerConfig server, string source, CancellationToken cancellationToken)
    {
        ServerSession session;
        try
        {
            session = await ServerSession.ConnectAsync(server, ssh, cancellationToken);
        }
        catch (ConnectionException e)
        {
            Report(Check.Fail($"SSH: {e.Message}", e.Fix), indent: true);
            return;
        }
        await using (session)
        {
            Report(Check.Pass($"SSH: {session.Target.Login}, host key verified"), indent: true);
            var ports = NeededPorts(config, server);
            var facts = HostFacts.Parse((await session.Ssh.RunScriptAsync(HostFacts.Script(ports.Keys), sudo: true, cancellationToken)).StandardOutput);
            foreach (var check in HostChecks.Judge(facts, ports)) Report(check, indent: true);

            HelloReply hello;
            try
            {
                hello = await session.HelloAsync(cancellationToken);
            }
            catch (ConnectionException e)
            {
                Report(Check.Fail($"podlift-agent: {e.Message.Split(": ", 2).Last()}", e.Fix), indent: true);
                return;
            }
            // what a deploy needs depends on the configuration and the project, not on the commit
            // (only what the plan asks of this agent matters here, not the other servers' resolved addresses)
            var addresses = config.Servers.ToDictionary(s => s, s => s == server ? session.Target.Address : s.Host);
            var plan = DeployPlanner.For(config, server, addresses, new Release("", "", "", "", source), skipHealthcheck: false);
            foreach (var check in AgentChecks(session.Needs(CapabilityNeeds.ForDeploy(plan, config.Registry is not null)))) Report(check, indent: true);
            var apps = await session.Agent.StateAsync(null, cancellationToken);
            var state = apps.FirstOrDefault(a => a.App == config.App);
            Report(AppNameCheck.OtherOwner(state, source) is { } owner
                ? Check.Fail($"app name `{config.App}` is used here by another project ({owner})", "rename `service:` in podlift.yml")
                : Check.Pass($"app name `{config.App}`: {(state is null ? "free" : "this project's")}"), indent: true);
            if (SiteCheck.RoutesOn(config, server))
                Report(SiteCheck.ConflictOn(config, server, apps) is { } conflict
                    ? Check.Fail($"nginx: {conflict}", SiteCheck.Fix)
                    : Check.Pass($"nginx: {(config.Domains.Count == 0 ? "the default site is free" : $"{string.Join(", ", config.Domains)} free")}"), indent: true);
        }
    }

    /// <summary>
    /// The agent: ✗ when it lacks a capability the deploy needs, ⚠ for an optional one, and for a version other than
    /// this podlift's. Pure.
    /// </summary>
    public static IEnumerable<Check> AgentChecks(AgentNeeds agent)
    {
        var hello = agent.Hello;
        if (agent.MissingRequired is { Count: > 0 } missing)
            yield return Check.Fail($"podlift-agent {hello.AgentVersion} lacks what a deploy needs: {CapabilityCheck.Describe(missing)}", CapabilityCheck.Fix);
        else
            yield return hello.AgentVersion == CliVersion.Current
                ? Check.Pass($"podlift-agent {hello.AgentVersion} (protocol {hello.ProtocolVersion})")
                : Check.Warn($"podlift-agent {hello.AgentVersion} differs from this podlift ({CliVersion.Current})", "upgrade it in place: podlift agent install");
        foreach (var need in agent.MissingOptional)
            yield return Check.Warn($"podlift-agent lacks {need.Capability} ({need.Reason}): {need.Without}", CapabilityCheck.Fix);
    }

    /// <summary>The ports a deploy will need on that server: nginx's, and the dependencies' on the primary.</summary>
    public static IReadOnlyDictionary<int, string> NeededPorts(PodliftConfig config, ServerConfig server)
    {
        var ports = new Dictionary<int, string>();
        if (config.Proxy.Enabled && config.RoutedService is not null && config.ServicesOn(server).Contains(config.RoutedService))
        {
            ports[80] = "nginx";
            if (config.Proxy.Ssl != SslMode.Off && server == config.Primary) ports[443] = "nginx";
        }
        foreach (var dependency in config.DependenciesOn(server).Where(d => d.Port > 0)) ports[dependency.Port] = dependency.Name;
        return ports;
    }

    private void Report(Check check, bool indent = false)
    {
        _checks.Add(check);
        var prefix = indent ? "  " : "";
        switch (check.Status)
        {
            case CheckStatus.Passed: output.Ok(prefix + check.Text); break;
            case CheckStatus.Warning: output.Warn(prefix + check.Text); break;
            default: output.Fail(prefix + check.Text); break;
        }
        if (check.Fix is not null) output.Line($"{prefix}  → {check.Fix}");
    }
}

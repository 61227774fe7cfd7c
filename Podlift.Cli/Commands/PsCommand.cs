using Podlift.Cli.Configuration;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift ps`: per service, replicas running/desired, health, version and uptime, as the agents report them;
/// then the app's dependencies where they run (their image in the VERSION column).
/// </summary>
public sealed class PsCommand(ConsoleOutput output, SshSettings ssh)
{
    public async Task RunAsync(PodliftConfig config, bool all, CancellationToken cancellationToken)
    {
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        CapabilityCheck.Require("podlift ps", sessions.Select(s => s.Needs(CapabilityNeeds.ForPs(config.DependenciesOn(s.Server).Any()))).ToList(), output);
        var states = await Task.WhenAll(sessions.Select(async session =>
            (session.Server, App: await session.AppStateAsync(config.App, cancellationToken))));

        var rows = new List<IReadOnlyList<string>>();
        foreach (var (server, app) in states)
        {
            if (app is null) continue;
            if (app.RebuiltFromLabels) output.Warn($"{server.Host}: state was missing; the agent rebuilt it from container labels");
            rows.AddRange(Rows(config, server, app, all));
        }
        if (rows.Count == 0)
        {
            output.Line($"{config.App} is not deployed yet: run `podlift deploy`");
            return;
        }

        var multiServer = config.Servers.Count > 1;
        string[] header = multiServer
            ? ["SERVER", "SERVICE", "VERSION", "REPLICAS", "STATUS", "UPTIME"]
            : ["SERVICE", "VERSION", "REPLICAS", "STATUS", "UPTIME"];
        foreach (var line in Format.Table(header, multiServer ? rows : rows.Select(r => (IReadOnlyList<string>)r.Skip(1).ToList()).ToList()))
            output.Line(line);
    }

    /// <summary>One row per service and version: current first, a canary beside it, older versions only with --all; then one per dependency. Pure.</summary>
    public static IEnumerable<IReadOnlyList<string>> Rows(PodliftConfig config, ServerConfig server, AppState app, bool all)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var group in app.Containers.GroupBy(c => (c.Service, c.Version))
                     .OrderBy(g => g.Key.Service).ThenByDescending(g => g.Key.Version == app.Current?.Version))
        {
            var isCurrent = group.Key.Version == app.Current?.Version;
            var isCanary = group.Key.Version == app.Canary?.Deployment?.Version;
            if (!isCurrent && !isCanary && !all) continue;
            var running = group.Count(c => c.Status == "running");
            var desired = isCurrent ? config.Services.FirstOrDefault(s => s.Name == group.Key.Service)?.Replicas ?? group.Count() : group.Count();
            var healths = group.Select(c => StateWords.Health(c.Health, c.Status)).Distinct().ToList();
            var status = healths.Count == 1 ? healths[0] : string.Join("/", healths);
            if (isCanary) status += $" (canary, {Shares.Format(app.Canary!.Share)})";
            else if (!isCurrent) status += group.Key.Version == app.Previous?.Version ? " (previous)" : " (old)";
            var started = group.Where(c => c.StartedAtUnixMilliseconds > 0).Select(c => c.StartedAtUnixMilliseconds).DefaultIfEmpty(0).Min();
            var uptime = started > 0 ? Format.Ago(now - DateTimeOffset.FromUnixTimeMilliseconds(started)) : "-";
            yield return [server.Host, group.Key.Service, group.Key.Version, $"{running}/{desired}", status, uptime];
        }
        foreach (var dependency in app.Dependencies)
        {
            var status = StateWords.Health(dependency.Health);
            var uptime = dependency.StartedAtUnixMilliseconds > 0 ? Format.Ago(now - DateTimeOffset.FromUnixTimeMilliseconds(dependency.StartedAtUnixMilliseconds)) : "-";
            yield return [server.Host, $"{dependency.Name} (dependency)", dependency.Image, dependency.Running ? "1/1" : "0/1", status, uptime];
        }
    }
}

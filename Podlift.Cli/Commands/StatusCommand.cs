using Podlift.Cli.Configuration;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>`podlift status`: current and previous deployment, health per server, the URL, and recent history.</summary>
public sealed class StatusCommand(ConsoleOutput output, SshSettings ssh)
{
    private const int RecentEntries = 5;

    public async Task RunAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        foreach (var session in sessions)
        {
            var app = await session.AppStateAsync(config.App, cancellationToken);
            foreach (var line in Lines(config, session.Server, app, DateTimeOffset.UtcNow)) output.Line(line);
        }
    }

    /// <summary>The status of one server as text. Pure.</summary>
    public static IEnumerable<string> Lines(PodliftConfig config, ServerConfig server, AppState? app, DateTimeOffset now)
    {
        yield return $"{config.App} on {server.Host}";
        if (app is null || app.CurrentVersion.Length == 0)
        {
            yield return "  not deployed yet";
            yield break;
        }
        string When(long unixMilliseconds) => Format.Ago(now - DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds)) + " ago";
        yield return $"  Current:  {app.CurrentVersion} \"{app.CommitMessage}\", deployed {When(app.DeployedAtUnixMilliseconds)} by {app.DeployedBy}";
        yield return app.PreviousVersion.Length > 0
            ? $"  Previous: {app.PreviousVersion} \"{app.PreviousCommitMessage}\", deployed {When(app.PreviousDeployedAtUnixMilliseconds)} by {app.PreviousDeployedBy}"
            : "  Previous: none";
        foreach (var service in app.Containers.Where(c => c.Version == app.CurrentVersion).GroupBy(c => c.Service))
        {
            var healthy = service.Count(c => c.Health is "healthy" or "running");
            var desired = config.Services.FirstOrDefault(s => s.Name == service.Key)?.Replicas ?? service.Count();
            yield return $"  Health:   {service.Key} {healthy}/{desired} {(healthy == desired ? "healthy" : string.Join(",", service.Select(c => c.Health).Distinct()))}";
        }
        if (server == config.Primary && config.RoutedService is not null) yield return $"  URL:      http://{config.Domain ?? server.Host}";
        if (app.History.Count == 0) yield break;
        yield return "  Recent:";
        foreach (var entry in app.History.Take(RecentEntries))
        {
            var operation = entry.Operation == Operation.Rollback ? "rollback" : "deploy";
            yield return $"    {When(entry.StartedAtUnixMilliseconds),-8} {operation,-8} {entry.Version,-8} {entry.Outcome,-10} {Format.Duration(TimeSpan.FromMilliseconds(entry.DurationMilliseconds)),6}  {entry.DeployedBy}";
        }
    }
}

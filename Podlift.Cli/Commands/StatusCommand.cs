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
        if (app?.Current is not { } current)
        {
            yield return "  not deployed yet";
            yield break;
        }
        string When(long unixMilliseconds) => Format.Ago(now - DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds)) + " ago";
        string Described(Deployment deployment) =>
            $"{deployment.Version} \"{deployment.CommitMessage}\", deployed {When(deployment.DeployedAtUnixMilliseconds)} by {deployment.DeployedBy}";
        yield return $"  Current:  {Described(current)}";
        yield return app.Previous is { } previous ? $"  Previous: {Described(previous)}" : "  Previous: none";
        if (app.Canary is { Deployment: { } canary } serving)
        {
            var hold = serving.HoldUntilUnixMilliseconds > now.ToUnixTimeMilliseconds()
                ? $"; held until {DateTimeOffset.FromUnixTimeMilliseconds(serving.HoldUntilUnixMilliseconds):HH:mm:ss} UTC, then promoted"
                : "; `podlift promote` or `podlift rollback`";
            yield return $"  Canary:   {Described(canary)}, for {Shares.Format(serving.Share)} of fresh clients{hold}";
        }
        foreach (var service in app.Containers.Where(c => c.Version == current.Version).GroupBy(c => c.Service))
        {
            var healthy = service.Count(c => c.Health is HealthState.Healthy or HealthState.Running);
            var desired = config.Services.FirstOrDefault(s => s.Name == service.Key)?.Replicas ?? service.Count();
            var healths = string.Join(",", service.Select(c => StateWords.Health(c.Health, c.Status)).Distinct());
            yield return $"  Health:   {service.Key} {healthy}/{desired} {(healthy == desired ? "healthy" : healths)}";
        }
        if (server == config.Primary && config.RoutedService is not null) yield return $"  URL:      http://{config.Domain ?? server.Host}";
        if (app.History.Count == 0) yield break;
        yield return "  Recent:";
        foreach (var entry in app.History.Take(RecentEntries))
        {
            var operation = StateWords.Operation(entry.Operation);
            var served = Receipts.Short(entry.Receipt);
            yield return $"    {When(entry.StartedAtUnixMilliseconds),-8} {operation,-8} {entry.Version,-8} {StateWords.Outcome(entry),-10} {Format.Duration(TimeSpan.FromMilliseconds(entry.DurationMilliseconds)),6}  {entry.DeployedBy}{(served.Length > 0 ? $"  ({served} while switching)" : "")}";
            if (entry.Outcome is Outcome.Reverted or Outcome.Aborted && entry.Error.Length > 0) yield return $"             {entry.Error}";
        }
    }
}

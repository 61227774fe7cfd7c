using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>Before a deploy builds or sends anything: a canary that serves is promoted or removed first, never deployed over.</summary>
public static class CanaryCheck
{
    public static async Task EnsureNoneServesAsync(PodliftConfig config, IEnumerable<ServerSession> sessions, CancellationToken cancellationToken)
    {
        foreach (var session in sessions.Where(s => s.Supports(Capabilities.Canary)))
            if ((await session.AppStateAsync(config.App, cancellationToken))?.Canary is { } canary)
                throw new ValidationException($"{session.Server.Host}: {Describe(canary)}", Fix);
    }

    /// <summary>"a canary of abc1234 serves 10% of fresh clients (since 12m ago)". Pure.</summary>
    public static string Describe(CanaryState canary, DateTimeOffset? now = null)
    {
        var since = canary.Deployment is { DeployedAtUnixMilliseconds: > 0 } deployed
            ? $" (for {Format.Ago((now ?? DateTimeOffset.UtcNow) - DateTimeOffset.FromUnixTimeMilliseconds(deployed.DeployedAtUnixMilliseconds))})"
            : "";
        return $"a canary of {canary.Deployment?.Version} serves {Shares.Format(canary.Share)} of fresh clients{since}";
    }

    public const string Fix = "`podlift promote` switches everyone to it, `podlift rollback` removes it; then deploy again";
}

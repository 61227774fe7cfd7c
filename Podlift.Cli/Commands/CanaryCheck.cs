using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>Before a deploy builds or sends anything: a canary that serves is promoted or removed first, never deployed over.</summary>
public static class CanaryCheck
{
    /// <summary>A canary only ever runs on the primary: only its agent is asked.</summary>
    public static async Task EnsureNoneServesAsync(PodliftConfig config, IEnumerable<ServerSession> sessions, CancellationToken cancellationToken)
    {
        var primary = sessions.First(s => s.Server == config.Primary);
        if (primary.Supports(Capabilities.Canary) && (await primary.AppStateAsync(config.App, cancellationToken))?.Canary is { } canary)
            throw new ValidationException($"{primary.Server.Host}: {Describe(canary)}", Fix);
    }

    /// <summary>`podlift promote` on several servers: the primary serves a canary of the commit checked out, which the others then deploy.</summary>
    public static async Task EnsurePromotableAsync(PodliftConfig config, ServerSession primary, string version, CancellationToken cancellationToken)
    {
        var canary = PromoteCommand.ServingCanary(config, primary.Server, await primary.AppStateAsync(config.App, cancellationToken));
        if (!Versions.Match(canary.Deployment.Version, version))
            throw new ValidationException($"the canary on {primary.Server.Host} is {canary.Deployment.Version}, and this checkout is at {version}: the other servers would get another version",
                $"`git checkout {canary.Deployment.Version}`, then `podlift promote` (or `podlift rollback` to remove the canary)");
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

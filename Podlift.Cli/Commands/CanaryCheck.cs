using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>Before a deploy builds or sends anything: a canary that serves is promoted or removed first, never deployed over.</summary>
public static class CanaryCheck
{
    /// <summary>A canary only ever runs on the primary: only its state is looked at. Pure.</summary>
    public static void EnsureNoneServes(PodliftConfig config, ServerApps apps)
    {
        if (apps.App(config.Primary, config.App)?.Canary is { } canary)
            throw new ValidationException($"{config.Primary.Host}: {Describe(canary)}", Fix);
    }

    /// <summary>`podlift promote` on several servers: the primary serves a canary of the commit checked out, which the others then deploy. Pure.</summary>
    public static void EnsurePromotable(PodliftConfig config, ServerApps apps, string version)
    {
        var canary = PromoteCommand.ServingCanary(config, config.Primary, apps.App(config.Primary, config.App));
        if (!Versions.Match(canary.Deployment.Version, version))
            throw new ValidationException($"the canary on {config.Primary.Host} is {canary.Deployment.Version}, and this checkout is at {version}: the other servers would get another version",
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

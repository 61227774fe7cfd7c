using Podlift.Protocol;

namespace Podlift.Cli.Planning;

/// <summary>A capability a command needs of an agent, and why, in podlift.yml's words.</summary>
/// <param name="Without">Set for an optional one: what the command does without it.</param>
public sealed record CapabilityNeed(string Capability, string Reason, string? Without = null)
{
    public bool Optional => Without is not null;
}

/// <summary>
/// Which agent capabilities (<see cref="Capabilities"/>) each command needs, from what it will send and call: a
/// field set in a plan, an RPC it will make. Pure. A new capability gets its line here.
/// </summary>
public static class CapabilityNeeds
{
    public static IReadOnlyList<CapabilityNeed> ForDeploy(DeployPlan plan, bool registry)
    {
        var needs = new List<CapabilityNeed>();
        void Need(bool when, string capability, string reason, string? without = null)
        {
            if (when) needs.Add(new CapabilityNeed(capability, reason, without));
        }

        var containers = plan.Services.Select(s => s.Options).Concat(plan.Dependencies.Select(d => d.Options));
        Need(plan.Source.Length > 0, Capabilities.AppSource, "the check that the app name belongs to this project");
        Need(plan.Dependencies.Count > 0, Capabilities.Dependencies, $"dependencies: {string.Join(", ", plan.Dependencies.Select(d => d.Name))}");
        Need(plan.Services.Any(s => s.Volumes.Count > 0), Capabilities.Volumes, "volumes:");
        Need(containers.Any(IsSet), Capabilities.ContainerOptions, "options: (memory, cpus, restart)");
        Need(plan.Services.Any(s => s.ImageHealthcheck), Capabilities.ImageHealthcheck, "the image's HEALTHCHECK, for a service without healthcheck:");
        Need(plan.VersionsKept > 0, Capabilities.VersionsKept, $"retain: {plan.VersionsKept}", "it keeps as many old versions as it always did");
        Need(plan.Network is { } network && (network.Peers.Count > 0 || network.PrimaryAddress.Length > 0 || network.AwaitsPrimary),
            Capabilities.MultiServer, "several servers");
        Need(plan.Network?.DependencyHosts.Count > 0, Capabilities.DependencyHosts, "dependencies that run on another server");
        Need(plan.Proxy?.Tls is not null, Capabilities.Tls, "proxy.ssl");
        if (plan.Proxy is { Enabled: true } proxy)
        {
            var required = proxy.Domains.Count > 1 || proxy.TrustedProxies.Count > 0;
            Need(true, Capabilities.ProxySettings, required ? "several host names under domain:, or proxy.trusted_proxies" : "the proxy limits (request body size, read and send timeouts)",
                required ? null : "nginx keeps its own limits: 1 MB request bodies, 60 s reads");
        }
        Need(plan.Verify is not null, Capabilities.Verify, "verify: (the agent watches the new version and reverts it)");
        Need(plan.Atomic, Capabilities.AtomicRollout, "an atomic rollout (--atomic, or rollout: atomic)");
        Need(plan.Canary is not null, Capabilities.Canary, "--canary");
        Need(plan.Release is { Command.Count: > 0 }, Capabilities.Release, "release: (the release command before traffic switches)");
        Need(registry, Capabilities.PullImage, "registry: (the server pulls the image)");
        Need(!registry, Capabilities.LayerDelta, "sending only the layers a server lacks, compressed", "the whole image is sent, uncompressed");
        needs.AddRange(ForHooks(plan.Hooks));
        return needs;
    }

    /// <param name="multiServer">The primary's upstream is handed over between servers.</param>
    public static IReadOnlyList<CapabilityNeed> ForRollback(RollbackRequest request, bool registry, bool multiServer)
    {
        var needs = new List<CapabilityNeed> { new(Capabilities.Rollback, "podlift rollback") };
        if (multiServer) needs.Add(new CapabilityNeed(Capabilities.MultiServer, "several servers"));
        if (request.Atomic) needs.Add(new CapabilityNeed(Capabilities.AtomicRollback, "rollback --atomic"));
        if (registry)
            needs.Add(new CapabilityNeed(Capabilities.PullImage, "registry: (a version whose image was pruned is pulled again)",
                "a version whose image was pruned there cannot come back from the registry"));
        needs.AddRange(ForHooks(request.Hooks));
        return needs;
    }

    public static IReadOnlyList<CapabilityNeed> ForLogs(bool dependency) => ForOperate(Capabilities.Logs, "podlift logs", dependency);

    public static IReadOnlyList<CapabilityNeed> ForExec(bool dependency) => ForOperate(Capabilities.Exec, "podlift exec", dependency);

    public static IReadOnlyList<CapabilityNeed> ForPromote() => [new(Capabilities.Canary, "podlift promote")];

    public static IReadOnlyList<CapabilityNeed> ForAttach() => [new(Capabilities.Attach, "podlift attach")];

    public static IReadOnlyList<CapabilityNeed> ForSsl(ProxyPlan proxy) =>
        [new(Capabilities.ApplyProxy, "podlift ssl setup"), .. proxy.Tls is null ? Array.Empty<CapabilityNeed>() : [new(Capabilities.Tls, "proxy.ssl")]];

    /// <param name="dependencies">The app has dependencies on that server.</param>
    public static IReadOnlyList<CapabilityNeed> ForPs(bool dependencies) =>
        dependencies ? [new(Capabilities.DependencyState, "the dependencies there", "they are not listed")] : [];

    public static IReadOnlyList<CapabilityNeed> ForUninstall() =>
        [new(Capabilities.ActiveDeploys, "the deploys it is running", "it cannot say whether a deploy is running; one would stop halfway")];

    private static IEnumerable<CapabilityNeed> ForHooks(HooksPlan? hooks)
    {
        if (hooks is null) yield break;
        if (hooks.BeforeDeploy.Count + hooks.AfterDeploy.Count + hooks.AfterRollback.Count > 0) yield return new CapabilityNeed(Capabilities.Hooks, "hooks:");
        if (hooks.Environment.Count > 0)
            yield return new CapabilityNeed(Capabilities.HookEnvironment, $"hooks that name {string.Join(", ", hooks.Environment.Keys.Order().Select(k => $"${{{k}}}"))}");
    }

    private static IReadOnlyList<CapabilityNeed> ForOperate(string capability, string command, bool dependency) =>
        dependency
            ? [new(capability, command), new(Capabilities.DependencyTargets, $"{command} of a dependency")]
            : [new(capability, command)];

    private static bool IsSet(ContainerOptions? options) => options is not null && (options.MemoryBytes > 0 || options.Cpus > 0 || options.Restart.Length > 0);
}

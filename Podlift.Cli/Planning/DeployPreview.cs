using Podlift.Cli.Configuration;
using Podlift.Protocol;

namespace Podlift.Cli.Planning;

/// <summary>What a deploy or rollback would do on one server, in words, from its plan and what the agent reports. Pure.</summary>
public static class DeployPreview
{
    public static IEnumerable<string> Deploy(PodliftConfig config, ServerConfig server, DeployPlan plan, AppState? state, bool imageOnServer)
    {
        yield return $"{server.Host}{(server == config.Primary ? " (primary)" : "")}:";
        yield return imageOnServer ? $"  image:  {plan.Image} is already there; nothing to send"
            : config.Registry is { } registry ? $"  image:  {plan.Image} would be built, pushed to {registry.Server} (once for all servers) and pulled here"
            : $"  image:  {plan.Image} would be built and sent";
        foreach (var dependency in plan.Dependencies)
            yield return $"  dependency {dependency.Name}: {dependency.Image} kept if running unchanged, else (re)created; its volume stays";
        foreach (var hook in plan.Hooks?.BeforeDeploy ?? []) yield return $"  before_deploy: {hook}";
        foreach (var service in plan.Services)
        {
            var names = Enumerable.Range(1, Math.Max(1, service.Replicas)).Select(n => ContainerNames.For(plan.App, service.Name, plan.Version, n));
            var check = service.Healthcheck is { } h ? $"health GET {h.Path}" : "must keep running";
            yield return $"  start:  {string.Join(", ", names)} ({service.Name}{(service.ContainerPort > 0 ? $", port {service.ContainerPort}" : "")}, {check})";
        }
        if (plan.Release is { Command.Count: > 0 } release)
            yield return $"  release: {string.Join(' ', release.Command)} (once, in a one-off {release.Service} container of {plan.Version}, before traffic moves; a failure stops the deploy)";
        var routed = plan.Services.FirstOrDefault(s => s.Routed);
        if (routed is not null && plan.Proxy.Enabled)
        {
            var upstream = $"{plan.App}_{routed.Name}".Replace('-', '_');
            yield return plan.Network?.AwaitsPrimary == true
                ? $"  nginx:  {config.Primary.Host} moves upstream {upstream} to the new {routed.Name} containers here and drains the old ones; this server's nginx too"
                : $"  nginx:  upstream {upstream} switches to the new {routed.Name} containers{(config.Servers.Count > 1 && server == config.Primary ? " (with the other web servers' containers)" : "")}";
        }
        var stopping = RunningOtherThan(state, plan.Version).ToList();
        yield return stopping.Count > 0
            ? $"  stop:   {string.Join(", ", stopping)} (after draining, up to {TimeSpan.FromMilliseconds(plan.DrainMilliseconds).TotalSeconds:0}s; kept for rollback)"
            : "  stop:   nothing (nothing of this app runs here yet)";
        foreach (var hook in plan.Hooks?.AfterDeploy ?? []) yield return $"  after_deploy: {hook}";
    }

    /// <param name="registry">In registry mode, where an image pruned from the server comes back from.</param>
    public static IEnumerable<string> Rollback(ServerConfig server, AppState? state, string target, string? registry = null)
    {
        yield return $"{server.Host}:";
        if (state?.Current is null)
        {
            yield return "  nothing deployed here: nothing to roll back";
            yield break;
        }
        var targetContainers = state.Containers.Where(c => c.Version.StartsWith(target, StringComparison.Ordinal)).Select(c => c.Name).ToList();
        yield return targetContainers.Count > 0
            ? $"  start:  {string.Join(", ", targetContainers)} (stopped containers of {target}, started again)"
            : registry is null
                ? $"  start:  {target} recreated from its recorded plan, if its image is still on the server (else refused, nothing touched)"
                : $"  start:  {target} recreated from its recorded plan, its image pulled from {registry} if the server no longer has it (else refused, nothing touched)";
        yield return $"  nginx:  switches to {target}";
        var stopping = RunningOtherThan(state, target).ToList();
        yield return $"  stop:   {(stopping.Count > 0 ? string.Join(", ", stopping) : "nothing")} (after draining)";
    }

    private static IEnumerable<string> RunningOtherThan(AppState? state, string version) =>
        state?.Containers.Where(c => c.Status == "running" && !c.Version.StartsWith(version, StringComparison.Ordinal)).Select(c => c.Name) ?? [];
}

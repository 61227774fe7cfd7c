using Podlift.Protocol;

namespace Podlift.Agent.Rpc.Validation;

/// <summary>The rules of the requests that start or follow jobs: Deploy (the plan), Rollback, Promote, Attach, ConfirmSwitch.</summary>
public static class DeployRules
{
    public static FieldChecks Plan(FieldChecks check, DeployPlan plan)
    {
        check.Name("app", plan.App)
            .Version("version", plan.Version)
            .Image("image", plan.Image)
            .Line("deployed_by", plan.DeployedBy, RequestLimits.ShortLine)
            .Text("commit_message", plan.CommitMessage, RequestLimits.Text)
            .Line("source", plan.Source, RequestLimits.LongLine)
            .Milliseconds("drain_milliseconds", plan.DrainMilliseconds, PlanLimits.MaxDrain)
            .Between("versions_kept", plan.VersionsKept, 0, PlanLimits.MaxVersionsKept)
            .AtMost("services", plan.Services.Count, RequestLimits.Entries)
            .AtMost("dependencies", plan.Dependencies.Count, RequestLimits.Entries);
        for (var i = 0; i < plan.Services.Count; i++) Service(check, plan.Services[i], $"services[{i}]");
        for (var i = 0; i < plan.Dependencies.Count; i++) Dependency(check, plan.Dependencies[i], $"dependencies[{i}]");
        if (plan.Proxy is { } proxy) ProxyRules.Proxy(check, proxy, plan.App, "proxy");
        if (plan.Hooks is { } hooks) Hooks(check, hooks, "hooks");
        if (plan.Network is { } network) Network(check, network, "network");
        if (plan.Release is { } release)
            check.Arguments("release.command", release.Command)
                .NameOrEmpty("release.service", release.Service)
                .Milliseconds("release.timeout_milliseconds", release.TimeoutMilliseconds, TimeSpan.FromHours(24));
        if (plan.Verify is { } verify)
            check.Milliseconds("verify.window_milliseconds", verify.WindowMilliseconds, PlanLimits.MaxVerifyWindow)
                .Between("verify.max_error_rate", verify.MaxErrorRate, 0, 1)
                .Between("verify.min_requests", verify.MinRequests, 0, PlanLimits.MaxVerifyMinRequests);
        if (plan.Canary is { } canary)
            check.Between("canary.share", canary.Share, PlanLimits.MinCanaryShare, PlanLimits.MaxCanaryShare)
                .Milliseconds("canary.hold_milliseconds", canary.HoldMilliseconds, PlanLimits.MaxCanaryHold)
                .Between("canary.max_error_rate", canary.MaxErrorRate, 0, 1)
                .Between("canary.min_requests", canary.MinRequests, 0, PlanLimits.MaxVerifyMinRequests);
        return check;
    }

    public static FieldChecks Promote(FieldChecks check, PromoteRequest request)
    {
        check.Name("app", request.App)
            .Line("requested_by", request.RequestedBy, RequestLimits.ShortLine)
            .Milliseconds("drain_milliseconds", request.DrainMilliseconds, PlanLimits.MaxDrain);
        return request.Hooks is { } hooks ? Hooks(check, hooks, "hooks") : check;
    }

    public static FieldChecks Rollback(FieldChecks check, RollbackRequest request)
    {
        check.Name("app", request.App)
            .VersionOrEmpty("to", request.To)
            .Line("requested_by", request.RequestedBy, RequestLimits.ShortLine)
            .Milliseconds("drain_milliseconds", request.DrainMilliseconds, PlanLimits.MaxDrain);
        return request.Hooks is { } hooks ? Hooks(check, hooks, "hooks") : check;
    }

    public static FieldChecks Attach(FieldChecks check, AttachRequest request) =>
        check.Name("app", request.App).DeployIdOrEmpty("deploy_id", request.DeployId);

    public static FieldChecks ConfirmSwitch(FieldChecks check, ConfirmSwitchRequest request)
    {
        check.Name("app", request.App).DeployId("deploy_id", request.DeployId).Text("reason", request.Reason, RequestLimits.Text)
            .AtMost("others", request.Others.Count, RequestLimits.Entries);
        for (var i = 0; i < request.Others.Count; i++)
            ProxyRules.Backends(check.Host($"others[{i}].server", request.Others[i].Server), $"others[{i}].backends", request.Others[i].Backends);
        return check;
    }

    private static void Service(FieldChecks check, ServicePlan service, string at)
    {
        check.Name($"{at}.name", service.Name)
            .Between($"{at}.replicas", service.Replicas, 0, PlanLimits.MaxReplicas)
            .PortOrZero($"{at}.container_port", service.ContainerPort)
            .Arguments($"{at}.command", service.Command)
            .Environment($"{at}.env", service.Env)
            .AtMost($"{at}.volumes", service.Volumes.Count, RequestLimits.Entries);
        for (var i = 0; i < service.Volumes.Count; i++) check.Volume($"{at}.volumes[{i}]", service.Volumes[i]);
        if (service.Healthcheck is { } health) HealthCheck(check, health, $"{at}.healthcheck");
        if (service.Options is { } options) Options(check, options, $"{at}.options");
    }

    private static void HealthCheck(FieldChecks check, HealthCheckPlan health, string at)
    {
        if (health.Path.Length > 0) check.UrlPath($"{at}.path", health.Path);
        check.AtMost($"{at}.expect", health.Expect.Count, RequestLimits.Entries)
            .Milliseconds($"{at}.timeout_milliseconds", health.TimeoutMilliseconds, PlanLimits.MaxHealthTimeout)
            .Milliseconds($"{at}.interval_milliseconds", health.IntervalMilliseconds, PlanLimits.MaxHealthInterval)
            .Between($"{at}.retries", health.Retries, 0, PlanLimits.MaxRetries);
        for (var i = 0; i < health.Expect.Count; i++)
            check.Between($"{at}.expect[{i}]", health.Expect[i], PlanLimits.MinExpectedStatus, PlanLimits.MaxExpectedStatus);
    }

    private static void Dependency(FieldChecks check, DependencyPlan dependency, string at)
    {
        check.Name($"{at}.name", dependency.Name)
            .Image($"{at}.image", dependency.Image)
            .PortOrZero($"{at}.port", dependency.Port)
            .Arguments($"{at}.command", dependency.Command)
            .Environment($"{at}.env", dependency.Env);
        if (dependency.Volume.Length > 0) check.Volume($"{at}.volume", dependency.Volume);
        if (dependency.Options is { } options) Options(check, options, $"{at}.options");
    }

    private static void Options(FieldChecks check, ContainerOptions options, string at) =>
        check.Between($"{at}.memory_bytes", options.MemoryBytes, 0, RequestLimits.MemoryBytes)
            .Between($"{at}.cpus", options.Cpus, 0, PlanLimits.MaxCpus)
            .RestartPolicyOrEmpty($"{at}.restart", options.Restart);

    /// <summary>Hook commands are shell by design (they run as root, as podlift.yml says): bounded, nothing more.</summary>
    private static FieldChecks Hooks(FieldChecks check, HooksPlan hooks, string at)
    {
        foreach (var (name, commands) in new[] { ("before_deploy", hooks.BeforeDeploy), ("after_deploy", hooks.AfterDeploy), ("after_rollback", hooks.AfterRollback) })
        {
            check.AtMost($"{at}.{name}", commands.Count, RequestLimits.Hooks);
            for (var i = 0; i < commands.Count; i++) check.Text($"{at}.{name}[{i}]", commands[i], RequestLimits.Text);
        }
        return check.Environment($"{at}.environment", hooks.Environment);
    }

    private static void Network(FieldChecks check, NetworkPlan network, string at)
    {
        check.HostOrEmpty($"{at}.primary_address", network.PrimaryAddress)
            .HostOrEmpty($"{at}.advertised_address", network.AdvertisedAddress)
            .AtMost($"{at}.peers", network.Peers.Count, RequestLimits.Entries)
            .AtMost($"{at}.dependency_hosts", network.DependencyHosts.Count, RequestLimits.Entries);
        for (var i = 0; i < network.Peers.Count; i++) check.Host($"{at}.peers[{i}]", network.Peers[i]);
        foreach (var (dependency, host) in network.DependencyHosts)
            check.Name($"{at}.dependency_hosts", dependency).Host($"{at}.dependency_hosts[{dependency}]", host);
    }
}

using Podlift.Cli.Configuration;
using Podlift.Protocol;

namespace Podlift.Cli.Planning;

/// <summary>Turns configuration and a release into the plan one server's agent runs. Pure.</summary>
public static class DeployPlanner
{
    /// <param name="addresses">Every server's address as the others reach it (what ssh resolves its host to: podlift.yml
    /// may name a server by an ssh alias, which only this machine knows).</param>
    /// <param name="atomic">An atomic rollout (<see cref="Jobs.AtomicRollout"/>): the job waits, ready, for the CLI's go.</param>
    /// <param name="canary">--canary: the primary's plan asks for one, and verify: gives way to the canary's own hold.</param>
    public static DeployPlan For(PodliftConfig config, ServerConfig server, IReadOnlyDictionary<ServerConfig, string> addresses, Release release, bool skipHealthcheck,
        bool atomic = false, CanaryRollout? canary = null)
    {
        var routed = config.RoutedService;
        var plan = new DeployPlan
        {
            App = config.App,
            Version = release.Version,
            Image = release.Image,
            DeployedBy = release.DeployedBy,
            CommitMessage = release.CommitMessage,
            Source = release.Source,
            Proxy = ProxyFor(config, server),
            DrainMilliseconds = (long)config.Drain.TotalMilliseconds,
            SkipHealthcheck = skipHealthcheck,
            VersionsKept = config.Retain,
            Network = NetworkFor(config, server, addresses, routed),
            Atomic = atomic,
        };
        foreach (var service in config.ServicesOn(server))
            plan.Services.Add(ServicePlanFor(service, routed?.Name == service.Name));
        plan.Dependencies.AddRange(config.DependenciesOn(server).Select(DependencyPlanFor));
        if (server == config.Primary)
        {
            plan.Hooks = HooksFor(config.Hooks);
            if (config.Release is { } releaseCommand) plan.Release = ReleaseFor(releaseCommand);
            if (config.Verify is { } verify && canary is null)
                plan.Verify = new VerifyPlan { WindowMilliseconds = (long)verify.Window.TotalMilliseconds, MaxErrorRate = verify.MaxErrorRate, MinRequests = verify.MinRequests };
            if (canary is not null) plan.Canary = canary.ToPlan();
        }
        return plan;
    }

    /// <summary>
    /// Where the server stands: how its containers reach the primary, which other servers may reach its
    /// published ports, and whether the primary's nginx balances to its web containers.
    /// </summary>
    private static NetworkPlan NetworkFor(PodliftConfig config, ServerConfig server, IReadOnlyDictionary<ServerConfig, string> addresses, ServiceConfig? routed)
    {
        var primary = config.Primary;
        var network = new NetworkPlan
        {
            PrimaryAddress = server == primary ? "" : addresses[primary],
            AdvertisedAddress = addresses[server],
            AwaitsPrimary = server != primary && config.Proxy.Enabled && routed is not null && config.ServicesOn(server).Contains(routed),
        };
        network.Peers.AddRange(config.Servers.Where(s => s != server).Select(s => addresses[s]).Distinct());
        foreach (var dependency in config.Dependencies.Where(d => config.HostOf(d) != server))
            network.DependencyHosts[dependency.Name] = addresses[config.HostOf(dependency)];
        return network;
    }

    /// <summary>Where the certificate lives on a server: certbot's live directory, or podlift's for your own files.</summary>
    public static TlsPlan? TlsFor(PodliftConfig config) => config.Proxy.Ssl switch
    {
        SslMode.LetsEncrypt => TlsIn(TlsLocations.LetsEncryptDirectory(config.Domain!)),
        SslMode.Manual => TlsIn(TlsLocations.ManualDirectory(config.App)),
        _ => null,
    };

    private static TlsPlan TlsIn(string directory) =>
        new() { CertificatePath = directory + TlsLocations.CertificateFile, KeyPath = directory + TlsLocations.KeyFile };

    /// <summary>TLS ends at the primary, where the load balancer is.</summary>
    public static ProxyPlan ProxyFor(PodliftConfig config, ServerConfig server)
    {
        var proxy = new ProxyPlan
        {
            Enabled = config.Proxy.Enabled,
            Domain = config.Domain ?? "",
            Tls = server == config.Primary ? TlsFor(config) : null,
            Limits = new ProxyLimits
            {
                MaxBodyBytes = config.Proxy.MaxBodyBytes,
                ReadTimeoutMilliseconds = (long)config.Proxy.ReadTimeout.TotalMilliseconds,
                SendTimeoutMilliseconds = (long)config.Proxy.SendTimeout.TotalMilliseconds,
            },
        };
        proxy.Domains.AddRange(config.Domains);
        proxy.TrustedProxies.AddRange(config.Proxy.TrustedProxies);
        return proxy;
    }

    /// <summary>Hooks run on the primary, so only its plan (and a rollback sent to it) carries them.</summary>
    public static HooksPlan HooksFor(HooksConfig hooks)
    {
        var plan = new HooksPlan();
        plan.BeforeDeploy.AddRange(hooks.BeforeDeploy);
        plan.AfterDeploy.AddRange(hooks.AfterDeploy);
        plan.AfterRollback.AddRange(hooks.AfterRollback);
        foreach (var (name, value) in hooks.Environment) plan.Environment[name] = value;
        return plan;
    }

    private static ReleasePlan ReleaseFor(ReleaseConfig release)
    {
        var plan = new ReleasePlan { Service = release.Service, TimeoutMilliseconds = (long)release.Timeout.TotalMilliseconds };
        plan.Command.AddRange(release.Command);
        return plan;
    }

    private static DependencyPlan DependencyPlanFor(DependencyConfig dependency)
    {
        var plan = new DependencyPlan
        {
            Name = dependency.Name,
            Image = dependency.Image,
            Port = dependency.Port,
            Volume = dependency.Volume ?? "",
            Options = OptionsFor(dependency.Options),
        };
        plan.Command.AddRange(dependency.Command);
        foreach (var (name, value) in dependency.Env) plan.Env[name] = value;
        return plan;
    }

    private static ContainerOptions OptionsFor(ContainerOptionsConfig options) =>
        new() { MemoryBytes = options.MemoryBytes, Cpus = options.Cpus, Restart = options.Restart ?? "" };

    private static ServicePlan ServicePlanFor(ServiceConfig service, bool routed)
    {
        var plan = new ServicePlan
        {
            Name = service.Name,
            Replicas = service.Replicas,
            // a service without an HTTP check is not reachable from outside, so it needs no host port
            ContainerPort = service.HealthCheck is null ? 0 : service.Port,
            Routed = routed,
            ImageHealthcheck = service.HealthCheckImplicit,
            Options = OptionsFor(service.Options),
        };
        plan.Volumes.AddRange(service.Volumes);
        plan.Command.AddRange(service.Command);
        foreach (var (name, value) in service.Env) plan.Env[name] = value;
        if (service.HealthCheck is { } check)
        {
            plan.Healthcheck = new HealthCheckPlan
            {
                Path = check.Path,
                TimeoutMilliseconds = (long)check.Timeout.TotalMilliseconds,
                IntervalMilliseconds = (long)check.Interval.TotalMilliseconds,
                Retries = check.Retries,
            };
            plan.Healthcheck.Expect.AddRange(check.Expect);
        }
        return plan;
    }
}

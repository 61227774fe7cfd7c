namespace Podlift.Cli.Configuration;

/// <summary>podlift.yml, resolved: defaults filled in, variables expanded, every value checked.</summary>
public sealed record PodliftConfig
{
    public required string App { get; init; }
    public required string Image { get; init; }
    /// <summary>Every host name of the site; empty: the servers' default site.</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];
    /// <summary>The first host name: the certificate's name and the URL podlift prints.</summary>
    public string? Domain => Domains.Count > 0 ? Domains[0] : null;
    public required IReadOnlyList<ServerConfig> Servers { get; init; }
    public required IReadOnlyList<ServiceConfig> Services { get; init; }
    /// <summary>Null: images go from the local Docker to each server directly.</summary>
    public RegistryConfig? Registry { get; init; }
    public ProxyConfig Proxy { get; init; } = ProxyConfig.Default;
    public TimeSpan Drain { get; init; } = DefaultDrain;
    public IReadOnlyList<DependencyConfig> Dependencies { get; init; } = [];
    public HooksConfig Hooks { get; init; } = new([], [], []);
    /// <summary>The release command (migrations), run once per deploy before traffic switches; null: none.</summary>
    public ReleaseConfig? Release { get; init; }
    /// <summary>Old versions kept on each server for rollback.</summary>
    public int Retain { get; init; } = DefaultRetain;
    /// <summary>verify: the primary's agent watches the new version after the switch; null: it does not.</summary>
    public VerifyConfig? Verify { get; init; }
    public const int DefaultVerifyMinRequests = Podlift.Protocol.PlanDefaults.VerifyMinRequests;
    /// <summary>How a deploy goes over the servers when no flag says (--parallel, --atomic).</summary>
    public Rollout Rollout { get; init; } = Rollout.Serial;
    public required string SourcePath { get; init; }

    public static readonly TimeSpan DefaultDrain = Podlift.Protocol.PlanDefaults.Drain;
    public const int DefaultRetain = Podlift.Protocol.PlanDefaults.VersionsKept;

    public string ProjectDirectory => Path.GetDirectoryName(Path.GetFullPath(SourcePath))!;

    /// <summary>The server that hosts dependencies and the load balancer: labelled primary, else the first.</summary>
    public ServerConfig Primary => Servers.FirstOrDefault(s => s.Labels.Contains("primary")) ?? Servers[0];

    /// <summary>The service nginx routes to: `web` if there is one, else the first with an HTTP health check.</summary>
    public ServiceConfig? RoutedService =>
        Services.FirstOrDefault(s => s.Name == "web" && s.HealthCheck is not null) ?? Services.FirstOrDefault(s => s.HealthCheck is not null);

    /// <summary>Where a dependency runs: where it is placed, else on the primary.</summary>
    public ServerConfig HostOf(DependencyConfig dependency) => dependency.PlacedOn ?? Primary;

    public IEnumerable<DependencyConfig> DependenciesOn(ServerConfig server) => Dependencies.Where(d => HostOf(d) == server);

    public IEnumerable<ServiceConfig> ServicesOn(ServerConfig server) =>
        Services.Where(service => server.Roles.Count == 0 || server.Roles.Contains(service.Name));
}

/// <summary>
/// One server of podlift.yml. <see cref="Host"/> is what ssh is called with: an address, or a Host alias of
/// your ssh config. User, port and key are null unless podlift.yml sets them: ssh's config decides then
/// (see <see cref="Remote.SshTarget"/> for what ssh really uses).
/// </summary>
public sealed record ServerConfig(string Host, string? User, int? Port, string? SshKey, IReadOnlyList<string> Roles, IReadOnlyList<string> Labels)
{
    public override string ToString() => Host;
}

/// <summary>`registry:`: the image is pushed there once and every server pulls it.</summary>
public sealed record RegistryConfig(string Server, string? Username, string? Password)
{
    /// <summary>Who logs in, never the password: safe in any message.</summary>
    public override string ToString() => Username is null ? Server : $"{Username}@{Server}";
}

public sealed record ServiceConfig
{
    public const int DefaultPort = Podlift.Protocol.PlanDefaults.ServicePort;
    public const int DefaultReplicas = 1;

    public required string Name { get; init; }
    public int Port { get; init; } = DefaultPort;
    public int Replicas { get; init; } = DefaultReplicas;
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Null when `healthcheck: false`: the container only has to keep running.</summary>
    public HealthCheckConfig? HealthCheck { get; init; } = HealthCheckConfig.Default;
    /// <summary>True when podlift.yml says nothing about the health check: an image HEALTHCHECK then wins.</summary>
    public bool HealthCheckImplicit { get; init; } = true;
    public IReadOnlyList<string> Volumes { get; init; } = [];
    public ContainerOptionsConfig Options { get; init; } = ContainerOptionsConfig.None;
}

public sealed record ContainerOptionsConfig(long MemoryBytes, double Cpus, string? Restart)
{
    public static readonly ContainerOptionsConfig None = new(0, 0, null);
}

public sealed record DependencyConfig
{
    public required string Name { get; init; }
    /// <summary>The server it runs on, when podlift.yml places it (host:, role:, labels:); null: the primary.</summary>
    public ServerConfig? PlacedOn { get; init; }
    public required string Image { get; init; }
    public int Port { get; init; }
    public string? Volume { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Command { get; init; } = [];
    public ContainerOptionsConfig Options { get; init; } = ContainerOptionsConfig.None;
}

public sealed record HooksConfig(IReadOnlyList<string> BeforeDeploy, IReadOnlyList<string> AfterDeploy, IReadOnlyList<string> AfterRollback)
{
    /// <summary>The variables the commands name, for the shell that runs them to expand (never put into the commands).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public bool Any => BeforeDeploy.Count + AfterDeploy.Count + AfterRollback.Count > 0;
}

/// <summary>`release:`: a command run in a one-off container of the new image, with <see cref="Service"/>'s env, volumes and network.</summary>
/// <summary>`verify:`: after the switch, above <see cref="MaxErrorRate"/> (0.01 is 1%) the new version is rolled back.</summary>
public sealed record VerifyConfig(TimeSpan Window, double MaxErrorRate, int MinRequests);

public sealed record ReleaseConfig(IReadOnlyList<string> Command, string Service, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);
}

public sealed record HealthCheckConfig(string Path, IReadOnlyList<int> Expect, TimeSpan Timeout, TimeSpan Interval, int Retries)
{
    public static readonly HealthCheckConfig Default = new(Podlift.Protocol.PlanDefaults.HealthPath, Podlift.Protocol.PlanDefaults.HealthExpect,
        Podlift.Protocol.PlanDefaults.HealthTimeout, Podlift.Protocol.PlanDefaults.HealthInterval, Podlift.Protocol.PlanDefaults.HealthRetries);
}

public enum SslMode
{
    Off,
    LetsEncrypt,
    Manual,
}

public static class SslModes
{
    /// <summary>The mode as podlift.yml writes it.</summary>
    public static string Written(SslMode mode) => mode switch
    {
        SslMode.LetsEncrypt => "letsencrypt",
        SslMode.Manual => "manual",
        _ => "false",
    };
}

/// <summary>nginx in front of the app, and TLS: certbot on the primary (letsencrypt) or your own files (manual).</summary>
public sealed record ProxyConfig(bool Enabled, SslMode Ssl = SslMode.Off, string? Email = null, string AcmeServer = ProxyConfig.LetsEncrypt,
    string? CertificateFile = null, string? KeyFile = null)
{
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>What a podlift.yml without proxy: gets: nginx routes to the web service, without TLS.</summary>
    public static readonly ProxyConfig Default = new(Enabled: true);

    /// <summary>0: no limit.</summary>
    public long MaxBodyBytes { get; init; } = Podlift.Protocol.ProxyDefaults.MaxBodyBytes;
    public TimeSpan ReadTimeout { get; init; } = Podlift.Protocol.ProxyDefaults.ReadTimeout;
    public TimeSpan SendTimeout { get; init; } = Podlift.Protocol.ProxyDefaults.SendTimeout;
    /// <summary>Addresses or CIDRs of load balancers in front of the servers, whose X-Forwarded-For and X-Forwarded-Proto are believed.</summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];
}

/// <summary>
/// `rollout:`: one server after another (the first failure stops the run), all at once (servers may end on
/// different versions), or atomic: all at once, and nothing switches until every server is ready.
/// </summary>
public enum Rollout { Serial, Parallel, Atomic }

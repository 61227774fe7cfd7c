using System.Globalization;
using Podlift.Protocol;
using static Podlift.Cli.Configuration.ConfigKind;

namespace Podlift.Cli.Configuration;

/// <summary>What a key of podlift.yml holds. Some take more than one form: a domain is text or a list.</summary>
[Flags]
public enum ConfigKind
{
    Text = 1,
    Number = 2,
    Boolean = 4,
    /// <summary>30s, 500ms, 5m, 1h, 1m30s; a bare number is seconds.</summary>
    Duration = 8,
    /// <summary>512m, 2g, 100k; a bare number is bytes.</summary>
    Size = 16,
    List = 32,
    Mapping = 64,
    /// <summary>A string, split into words as a shell would, or a list of words.</summary>
    Command = 128,
    /// <summary>`false` turns it off.</summary>
    False = 256,
}

/// <summary>
/// One key of podlift.yml. <see cref="Path"/> names it as errors do, with the parts the user names as
/// placeholders: `service`, `servers[].host` (a key of every item of the list), `services.&lt;name&gt;.port`
/// (a key of every service).
/// </summary>
public sealed record ConfigKey(string Path, ConfigKind Kind, string Description)
{
    public bool Required { get; init; }

    /// <summary>The value podlift uses when the key is left out, written as in podlift.yml; null when there is none.</summary>
    public string? Default { get; init; }

    /// <summary>What leaving the key out means, when that is not one value (ssh's config decides, the primary...).</summary>
    public string? Unset { get; init; }

    /// <summary>A value for the example files (`podlift init`'s podlift.yml, docs/configuration.md).</summary>
    public string? Example { get; init; }

    /// <summary>For a key the user names (services.&lt;name&gt;): the name the example files give it.</summary>
    public string? Sample { get; init; }

    /// <summary>The reference example shows it commented out: an alternative to another key, or for another setup.</summary>
    public bool ExampleCommented { get; init; }

    /// <summary>The mapping the key is in: "" for the top level, `servers[]`, `services.&lt;name&gt;`...</summary>
    public string Parent => Path.LastIndexOf('.') is var dot and >= 0 ? Path[..dot] : "";

    /// <summary>The key as written in its mapping; a placeholder such as &lt;name&gt; for a key the user names.</summary>
    public string Name => Path[(Path.LastIndexOf('.') + 1)..];

    public bool IsNamedByUser => ConfigSchema.IsPlaceholder(Name);
}

/// <summary>
/// Every key of podlift.yml, in the order the loader lists them: its kind, default, whether it is required,
/// a one-line description and an example. The loader's known keys, `podlift init`'s template, the order of
/// `podlift config` and docs/configuration.md all come from here. Defaults are read from the constants the
/// loader uses. Pure data.
/// </summary>
public static class ConfigSchema
{
    public static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        new("service", Text, "the app's name: its containers, nginx site and state on the servers are named after it") { Required = true, Example = "myapp" },
        new("image", Text, "the image's name, without a tag: podlift builds ./Dockerfile and tags it with the git short sha") { Required = true, Example = "myapp" },
        new("domain", Text | List, "nginx's server_name: a host name, or a list (one certificate for all, named after the first)")
            { Unset = "the app is the server's default site", Example = "myapp.com" },
        new("env_file", Text, "the file ${VAR}s are read from, relative to podlift.yml (~/ and absolute paths work)") { Default = ConfigLoader.DefaultEnvFile, Example = ConfigLoader.DefaultEnvFile },
        new("git", Mapping, "accepted and not used: podlift deploys the git checkout podlift.yml is in") { ExampleCommented = true },
        new("git.repo", Text, "the repository (not used)") { Example = "git@github.com:me/myapp.git" },
        new("git.branch", Text, "the branch (not used)") { Example = "main" },
        new("servers", List | Mapping, "a list (every service on every server), or lists grouped by role (a service on the servers of its role); an item: its host, or the keys below")
            { Required = true },
        new("servers[].host", Text, "an IP address, a host name, or a Host alias of your ~/.ssh/config") { Required = true, Example = "192.168.1.10" },
        new("servers[].user", Text, "the SSH user; other than root, it needs passwordless sudo") { Unset = "your ssh config's User, else your login name", Example = "root" },
        new("servers[].port", Number, "the SSH port") { Unset = "your ssh config's Port, else 22", Example = "22" },
        new("servers[].ssh_key", Text, "the SSH private key") { Unset = "your ssh config's IdentityFile, else ssh's own", Example = "~/.ssh/id_ed25519" },
        new("servers[].labels", List, "primary marks the server of the load balancer and of unplaced dependencies")
            { Unset = "none; the first server is the primary", Example = "[primary]" },
        new("registry", Mapping, "push the image once to this registry; every server pulls it")
            { Unset = "none; each server is sent, from your Docker, only what it lacks" },
        new("registry.server", Text, "host[:port], without https:// or a path (the path belongs in image:)") { Required = true, Example = "ghcr.io" },
        new("registry.username", Text, "the login: username and password both, or neither for an anonymous registry") { Example = "me" },
        new("registry.password", Text, "set it in .env or the environment; never printed (podlift config masks it)") { Example = "${REGISTRY_PASSWORD}" },
        new("dependencies", Mapping, "containers the app needs, such as a database: created once, never recreated while unchanged") { Unset = "none" },
        new("dependencies.<name>", Mapping, "a dependency: its container answers to this name on the app's network") { Sample = "postgres" },
        new("dependencies.<name>.image", Text, "an image with its tag; sent from your Docker when the server lacks it") { Required = true, Example = "postgres:16" },
        new("dependencies.<name>.port", Number, "published on the app network's gateway only, not on public interfaces") { Unset = "none", Example = "5432" },
        new("dependencies.<name>.volume", Text, "name:/path or /host/path:/path[:ro|rw]; survives every deploy, rollback and recreation")
            { Unset = "none", Example = "pgdata:/var/lib/postgresql/data" },
        .. ContainerEnvironment("dependencies.<name>", "POSTGRES_PASSWORD", "${DB_PASSWORD}"),
        ContainerCommand("dependencies.<name>", "postgres -c max_connections=200"),
        .. ContainerOptions("dependencies.<name>"),
        new("dependencies.<name>.host", Text, "where it runs: one of the servers' hosts (host, role or labels: one of them)") { Unset = "the primary", Example = "192.168.1.10" },
        new("dependencies.<name>.role", Text, "where it runs: the first server of this role") { Unset = "the primary", Example = "worker", ExampleCommented = true },
        new("dependencies.<name>.labels", List, "where it runs: the first server with all these labels") { Unset = "the primary", Example = "[db]", ExampleCommented = true },
        new("services", Mapping, "the app's containers") { Unset = "one web service with the defaults below" },
        new("services.<name>", Mapping, "a service: on every server, or on the servers of the role with its name")
            { Sample = "web" },
        new("services.<name>.port", Number, "the port the app listens on inside its container") { Default = Written(ServiceConfig.DefaultPort), Example = "8000" },
        new("services.<name>.replicas", Number, "containers per server") { Default = Written(ServiceConfig.DefaultReplicas), Example = "2" },
        ContainerCommand("services.<name>", "bin/server --port 8000"),
        .. ContainerEnvironment("services.<name>", "DATABASE_URL", "postgres://app:${DB_PASSWORD}@postgres:5432/app"),
        new("services.<name>.healthcheck", Mapping | False, "a new version gets traffic only once this answers; false for a worker (it only has to keep running)")
            { Unset = "the image's own HEALTHCHECK if it has one, else the defaults below" },
        new("services.<name>.healthcheck.path", Text, "the path probed with GET") { Default = HealthCheckConfig.Default.Path, Example = "/health" },
        new("services.<name>.healthcheck.expect", Number | List, "the statuses that mean healthy (a redirect is an answer, not followed: [302] works)")
            { Default = $"[{string.Join(", ", HealthCheckConfig.Default.Expect.Select(Written))}]", Example = "[200]" },
        new("services.<name>.healthcheck.timeout", Duration, "how long a new container has to become healthy") { Default = Durations.Format(HealthCheckConfig.Default.Timeout), Example = "30s" },
        new("services.<name>.healthcheck.interval", Duration, "the longest pause between probes") { Default = Durations.Format(HealthCheckConfig.Default.Interval), Example = "10s" },
        new("services.<name>.healthcheck.retries", Number, "wrong answers (an unexpected status) that fail the check") { Default = Written(HealthCheckConfig.Default.Retries), Example = "3" },
        new("services.<name>.volumes", List, "named volumes and host paths: name:/path, /host/path:/path[:ro|rw]")
            { Unset = "none", Example = "[uploads:/app/uploads, /srv/config:/config:ro]" },
        .. ContainerOptions("services.<name>"),
        new("proxy", Mapping, "nginx in front of the app on each server, and TLS"),
        new("proxy.enabled", ConfigKind.Boolean, "nginx on each server routes HTTP (and HTTPS) to the web service") { Default = Written(ProxyConfig.Default.Enabled), Example = "true" },
        new("proxy.ssl", Text | False, "false, letsencrypt or manual; needs domain:, then `podlift ssl setup`") { Default = SslModes.Written(ProxyConfig.Default.Ssl), Example = "letsencrypt" },
        new("proxy.ssl_email", Text, "the account email for letsencrypt (or `podlift ssl setup --email`)") { Example = "ops@myapp.com" },
        new("proxy.acme_server", Text, "the ACME directory: Let's Encrypt's staging, or a private ACME server")
            { Default = ProxyConfig.LetsEncrypt, Example = "https://acme-staging-v02.api.letsencrypt.org/directory" },
        new("proxy.ssl_certificate", Text, "for manual: your certificate chain (PEM), relative to podlift.yml") { Example = "certs/fullchain.pem", ExampleCommented = true },
        new("proxy.ssl_certificate_key", Text, "for manual: its private key (PEM)") { Example = "certs/privkey.pem", ExampleCommented = true },
        new("proxy.max_body_size", Size, "the largest request body; 0 or unlimited lifts it (nginx's own 1m refuses uploads)")
            { Default = ByteSizes.Format(ProxyDefaults.MaxBodyBytes), Example = "100m" },
        new("proxy.read_timeout", Duration, "how long nginx waits for the app between two reads; an idle WebSocket is closed after it")
            { Default = Durations.Format(ProxyDefaults.ReadTimeout), Example = "120s" },
        new("proxy.send_timeout", Duration, "how long nginx waits between two writes of a request to the app")
            { Default = Durations.Format(ProxyDefaults.SendTimeout), Example = "120s" },
        new("proxy.trusted_proxies", List, "IPs or CIDRs of your load balancer or CDN: their X-Forwarded-For and X-Forwarded-Proto are believed")
            { Unset = "none", Example = "[10.0.0.0/8]" },
        new("drain", Duration, "the longest wait for in-flight requests before the old version stops") { Default = Durations.Format(PodliftConfig.DefaultDrain), Example = "30s" },
        new("rollout", Text, "how a deploy goes over the servers: serial (one after another; the first failure stops the run), parallel (all at once; "
                             + "servers may end on different versions), atomic (all at once; nothing switches until every server is ready, and a failure anywhere leaves every server on the old version)")
            { Default = "serial", Example = "atomic", ExampleCommented = true },
        new("hooks", Mapping, "commands the agent runs on the primary with sh -c, as root") { Unset = "none" },
        new("hooks.before_deploy", Text | List, "before anything changes; a failure aborts the deploy") { Example = "[./check-migrations]" },
        new("hooks.after_deploy", Text | List, "once the new version serves") { Example = "[./notify-deployed]" },
        new("hooks.after_rollback", Text | List, "once a rollback is done") { Example = "[echo \"rolled back to $PODLIFT_VERSION\"]" },
        new("release", Command | Mapping, "run once per deploy in a one-off container of the new image, before traffic moves (migrations); a command, or the keys below")
            { Unset = "none" },
        new("release.command", Command, "the command (the image's entrypoint is kept)") { Required = true, Example = "python manage.py migrate" },
        new("release.service", Text, "the service whose env, volumes and network it gets; it must run on the primary") { Unset = "the routed service", Example = "web" },
        new("release.timeout", Duration, "how long it may run") { Default = Durations.Format(ReleaseConfig.DefaultTimeout), Example = "10m" },
        new("verify", Duration | Mapping, "after the switch, the agent on the primary watches the new version for this long (or the keys below); "
                                          + "above the error rate it rolls back by itself to the version before") { Unset = "none", Example = "60s", ExampleCommented = true },
        new("verify.window", Duration, "how long the new version is watched") { Required = true, Example = "60s" },
        new("verify.max_error_rate", Text, "the share of the new version's requests that may fail (5xx, failed upstream attempts): 1% or 0.01")
            { Default = "1%", Example = "2%" },
        new("verify.min_requests", Number, "fewer requests in the whole window are too few to judge: the version stays")
            { Default = Written(PodliftConfig.DefaultVerifyMinRequests), Example = "50" },
        new("retain", Number, "old versions kept on each server for rollback") { Default = Written(PodliftConfig.DefaultRetain), Example = "3" },
    ];

    /// <summary>The keys podlift knows in one mapping (`""` for the top level, `servers[]`, `services.&lt;name&gt;.healthcheck`), in order.</summary>
    public static string[] KeysOf(string mapping)
    {
        var keys = Keys.Where(key => key.Parent == mapping && !key.IsNamedByUser).Select(key => key.Name).ToArray();
        return keys.Length > 0 ? keys : throw new ArgumentException($"the schema has no mapping {mapping}", nameof(mapping));
    }

    /// <summary>The key a concrete path (services.web.port, servers[].host) is an instance of; null if none.</summary>
    public static ConfigKey? Find(string path)
    {
        var segments = path.Split('.');
        return Keys.FirstOrDefault(key => key.Path.Split('.') is var pattern && pattern.Length == segments.Length
            && pattern.Zip(segments).All(pair => pair.First == pair.Second || IsPlaceholder(pair.First)));
    }

    /// <summary>The key's path with the example files' names for what the user names: services.web.port for services.&lt;name&gt;.port.</summary>
    public static string ExamplePath(ConfigKey key)
    {
        var segments = key.Path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            if (!IsPlaceholder(segments[i])) continue;
            var named = string.Join('.', key.Path.Split('.')[..(i + 1)]);
            segments[i] = Keys.Single(k => k.Path == named).Sample ?? throw new InvalidOperationException($"{named}: no sample name");
        }
        return string.Join('.', segments);
    }

    public static bool IsPlaceholder(string segment) => segment.StartsWith('<') && segment.EndsWith('>');

    /// <summary>`command:` for a service or a dependency: the same key in both.</summary>
    private static ConfigKey ContainerCommand(string parent, string example) =>
        new($"{parent}.command", Command, "the container's command") { Unset = "the image's own", Example = example };

    private static IEnumerable<ConfigKey> ContainerEnvironment(string parent, string sample, string example) =>
    [
        new($"{parent}.env", Mapping, "the container's environment; podlift config masks the values") { Unset = "none" },
        new($"{parent}.env.<variable>", Text, "a variable's value") { Sample = sample, Example = example },
    ];

    /// <summary>`options:` for a service or a dependency: the same keys in both.</summary>
    private static IEnumerable<ConfigKey> ContainerOptions(string parent) =>
    [
        new($"{parent}.options", Mapping, "limits and restart policy of its containers"),
        new($"{parent}.options.memory", Size, "memory limit") { Unset = "no limit", Example = "512m" },
        new($"{parent}.options.cpus", Number, "CPUs, such as 0.5 or 2") { Unset = "no limit", Example = "1.5" },
        new($"{parent}.options.restart", Text, "no, always, unless-stopped or on-failure[:N]") { Unset = "unless-stopped", Example = "always" },
    ];

    private static string Written(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Written(bool value) => value ? "true" : "false";
}

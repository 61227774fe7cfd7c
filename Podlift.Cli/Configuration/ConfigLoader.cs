using System.Text.RegularExpressions;
using Podlift.Cli.Errors;
using Podlift.Protocol;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Podlift.Cli.Configuration;

/// <summary>Reads podlift.yml and its env file into a checked <see cref="PodliftConfig"/>. No I/O beyond the two files.</summary>
public static partial class ConfigLoader
{
    /// <summary>The env file read when podlift.yml names none: beside it, and it need not exist.</summary>
    public const string DefaultEnvFile = ".env";

    public static PodliftConfig Load(string path, IReadOnlyDictionary<string, string> environment)
    {
        var fullPath = Path.GetFullPath(path);
        var fileName = Path.GetFileName(fullPath);
        if (!File.Exists(fullPath))
            throw new ConfigurationException($"{fileName} not found in {Path.GetDirectoryName(fullPath)}",
                "run `podlift init` to create one, or point to it with --config <file>");

        var root = ParseYaml(File.ReadAllText(fullPath), fileName);
        var variables = new Dictionary<string, string>(ReadEnvFile(root, fullPath, environment));
        foreach (var (key, value) in environment) variables[key] = value; // the environment wins over the file, as in Compose

        var envFileName = root.Children.TryGetValue(new YamlScalarNode("env_file"), out var envNode) ? ((YamlScalarNode)envNode).Value ?? DefaultEnvFile : DefaultEnvFile;
        var context = new ConfigContext(fileName, new VariableExpander(variables, envFileName));
        return Build(new ConfigNode(root, "", context), fullPath);
    }

    private static YamlMappingNode ParseYaml(string text, string fileName)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            throw new ConfigurationException($"{fileName}:{e.Start.Line}:{e.Start.Column}: YAML syntax error: {StripMark(reason)}",
                "check the indentation and quoting on that line");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet throws this instead of a YamlException when the file ends inside a [ ] or { } list
            var at = scanner.CurrentPosition;
            throw new ConfigurationException($"{fileName}:{at.Line}:{at.Column}: YAML syntax error: the file ended inside a [ ] or {{ }} collection",
                "check for an unclosed [ or { and for quoting");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigurationException($"{fileName} is empty or is not a mapping of keys", "start from `podlift init`");
        return root;
    }

    private static IReadOnlyDictionary<string, string> ReadEnvFile(YamlMappingNode root, string configPath, IReadOnlyDictionary<string, string> environment)
    {
        var directory = Path.GetDirectoryName(configPath)!;
        var explicitPath = root.Children.TryGetValue(new YamlScalarNode("env_file"), out var node) ? (node as YamlScalarNode)?.Value : null;
        if (node is not null and not YamlScalarNode)
            throw new ConfigurationException($"{Path.GetFileName(configPath)}:{node.Start.Line}: env_file must be one file path, such as .env",
                "name a single env file");
        var path = ResolvePath(explicitPath ?? DefaultEnvFile, directory, environment);
        if (!File.Exists(path))
        {
            if (explicitPath is null) return new Dictionary<string, string>();
            throw new ConfigurationException($"env_file {explicitPath} not found (looked for {path})", "create it, or fix env_file in podlift.yml");
        }
        try
        {
            return EnvFile.Parse(File.ReadAllText(path), Path.GetFileName(path));
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigurationException($"env_file {path} cannot be read (permission denied)", $"check its permissions: ls -l {path}");
        }
    }

    private static string ResolvePath(string path, string baseDirectory, IReadOnlyDictionary<string, string> environment)
    {
        if (path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Combine(environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]);
        return Path.GetFullPath(path, baseDirectory);
    }

    private static PodliftConfig Build(ConfigNode root, string sourcePath)
    {
        root.AllowOnly(ConfigSchema.KeysOf(""));
        var app = Name(root.Required("service"));
        var image = root.Required("image").String();
        if (!ImageReference.IsRepository(image))
            throw root.Required("image").Error($"must be an image name without a tag, such as myapp or ghcr.io/me/myapp (got: {image})");
        var domains = root.Child("domain") is { } domainNode ? Domains(domainNode) : [];
        if (root.Child("git") is { } git) git.AllowOnly(ConfigSchema.KeysOf("git"));

        var servers = Servers(root.Required("servers"));
        var services = root.Child("services") is { } servicesNode
            ? servicesNode.Entries().Select(e => Service(e.Key, e.Value)).ToList()
            : [new ServiceConfig { Name = "web" }];
        if (services.Count == 0) throw root.Child("services")!.Error("must name at least one service, such as web");

        var grouped = servers.Any(s => s.Roles.Count > 0);
        if (grouped)
        {
            foreach (var service in services)
                if (!servers.Any(s => s.Roles.Contains(service.Name)))
                    throw root.Child("services") is { } named
                        ? named.Error($"names {service.Name}, but no server has that role",
                            $"add a `{service.Name}:` group under servers:, or list servers without groups")
                        : root.Required("servers").Error($"are grouped by role, but no server has the role {service.Name} (the only service when services: is not given)",
                            $"add a `{service.Name}:` group under servers:, or list the services to run under services:");
        }

        var config = new PodliftConfig
        {
            App = app,
            Image = image,
            Domains = domains,
            Servers = servers,
            Services = services,
            Registry = root.Child("registry") is { } registry ? Registry(registry) : null,
            Proxy = Proxy(root.Child("proxy"), domains.FirstOrDefault(), Path.GetDirectoryName(sourcePath)!),
            Drain = root.Child("drain")?.Duration(TimeSpan.Zero, PlanLimits.MaxDrain) ?? PodliftConfig.DefaultDrain,
            Dependencies = root.Child("dependencies") is { } dependencies ? dependencies.Entries().Select(e => Dependency(e.Key, e.Value, servers)).ToList() : [],
            Hooks = Hooks(root.Child("hooks")),
            Retain = root.Child("retain")?.Int(1, PlanLimits.MaxVersionsKept) ?? PodliftConfig.DefaultRetain,
            Verify = root.Child("verify") is { } verify ? Verify(verify) : null,
            Rollout = root.Child("rollout") is { } rollout ? Enum.Parse<Rollout>(rollout.OneOf(RolloutNames), ignoreCase: true) : Rollout.Serial,
            SourcePath = sourcePath,
        };
        RefuseNameClashes(root, config);
        return root.Child("release") is { } release ? config with { Release = Release(release, config) } : config;
    }

    public static readonly string[] RolloutNames = Enum.GetNames<Rollout>().Select(n => n.ToLowerInvariant()).ToArray();

    /// <summary>
    /// A dependency's container is &lt;app&gt;-&lt;name&gt;; a live service replica's is &lt;app&gt;-&lt;service&gt;-&lt;n&gt; and the release
    /// command's &lt;app&gt;-release-&lt;version&gt;: a dependency named like either would take their names.
    /// </summary>
    private static void RefuseNameClashes(ConfigNode root, PodliftConfig config)
    {
        foreach (var dependency in config.Dependencies)
        {
            var clash = config.Services.FirstOrDefault(s => dependency.Name == s.Name
                || (dependency.Name.StartsWith(s.Name + "-", StringComparison.Ordinal) && dependency.Name[(s.Name.Length + 1)..].All(char.IsAsciiDigit)));
            if (clash is null && !dependency.Name.StartsWith("release-", StringComparison.Ordinal)) continue;
            throw root.Required("dependencies").Error($"{dependency.Name}: a dependency's container would take the name of {(clash is null ? "the release command's container" : $"a {clash.Name} container")}",
                "rename the dependency");
        }
    }

    /// <summary>
    /// `release: python manage.py migrate`, a list, or { command:, service:, timeout: }. It runs on the
    /// primary, so the service whose env it takes must run there.
    /// </summary>
    /// <summary>`verify: 60s`, or its keys.</summary>
    private static VerifyConfig Verify(ConfigNode node)
    {
        if (!node.IsMapping) return new VerifyConfig(node.Duration(TimeSpan.FromSeconds(1), PlanLimits.MaxVerifyWindow), PlanDefaults.VerifyMaxErrorRate, PlanDefaults.VerifyMinRequests);
        node.AllowOnly(ConfigSchema.KeysOf("verify"));
        return new VerifyConfig(
            node.Required("window").Duration(TimeSpan.FromSeconds(1), PlanLimits.MaxVerifyWindow),
            node.Child("max_error_rate")?.Fraction() ?? PlanDefaults.VerifyMaxErrorRate,
            node.Child("min_requests")?.Int(1, PlanLimits.MaxVerifyMinRequests) ?? PlanDefaults.VerifyMinRequests);
    }

    private static ReleaseConfig Release(ConfigNode node, PodliftConfig config)
    {
        var commandNode = node;
        string? serviceName = null;
        var timeout = ReleaseConfig.DefaultTimeout;
        if (node.IsMapping)
        {
            node.AllowOnly(ConfigSchema.KeysOf("release"));
            commandNode = node.Required("command");
            serviceName = node.Child("service")?.String();
            timeout = node.Child("timeout")?.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(2)) ?? timeout;
        }
        var command = Command(commandNode);
        if (command.Count == 0) throw commandNode.Error("is empty", "give the command to run, such as `release: python manage.py migrate`");
        var service = serviceName is null
            ? config.RoutedService ?? config.Services[0]
            : config.Services.FirstOrDefault(s => s.Name == serviceName)
              ?? throw node.Child("service")!.Error($"names {serviceName}, which is not one of the services ({string.Join(", ", config.Services.Select(s => s.Name))})");
        if (!config.ServicesOn(config.Primary).Contains(service))
            throw (node.Child("service") ?? node).Error($"runs with the {service.Name} service's settings on the primary ({config.Primary.Host}), but {service.Name} does not run there",
                "name a service that runs on the primary with `release: { command: ..., service: <name> }`");
        return new ReleaseConfig(command, service.Name, timeout);
    }

    /// <summary>One host name or a list of them; an empty value means none (the default site).</summary>
    private static IReadOnlyList<string> Domains(ConfigNode node)
    {
        var domains = node.IsScalar && string.IsNullOrWhiteSpace(node.String()) ? [] : node.StringList().Select(d => d.Trim().ToLowerInvariant()).ToList();
        foreach (var domain in domains)
            if (!Names.IsDomain(domain))
                throw node.Error($"must be a host name such as myapp.example.com, or a list of them (got: {domain})");
        if (domains.GroupBy(d => d).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw node.Error($"names {twice.Key} twice");
        return domains;
    }

    private static RegistryConfig Registry(ConfigNode node)
    {
        if (!node.IsMapping) throw node.Error("must be a mapping: { server: ghcr.io, username: ..., password: ${REGISTRY_PASSWORD} }");
        node.AllowOnly(ConfigSchema.KeysOf("registry"));
        var serverNode = node.Required("server");
        var server = serverNode.String().Trim();
        if (!Names.IsRegistryServer(server))
            throw serverNode.Error($"must be a registry host, with its port unless it is 443, such as ghcr.io or registry.example.com:5000 (got: {server})",
                "leave out https:// and any path: the path belongs in image:");
        var username = node.Child("username")?.String();
        var passwordNode = node.Child("password");
        if ((username is null) != (passwordNode is null))
            throw node.Error(username is null ? "has a password but no username" : "has a username but no password",
                "give both, or neither for a registry that allows anonymous pulls and pushes");
        var password = passwordNode?.String();
        if (password is { Length: 0 })
            throw passwordNode!.Error("is empty", "set it in .env, e.g. REGISTRY_PASSWORD=..., and write password: ${REGISTRY_PASSWORD}");
        return new RegistryConfig(server, username, password);
    }

    private static string Name(ConfigNode node)
    {
        var name = node.String();
        if (!Names.IsName(name))
            throw node.Error($"must be {Names.NameRule} (got: {name})");
        return name;
    }

    private static List<ServerConfig> Servers(ConfigNode node)
    {
        var servers = new List<ServerConfig>();
        if (node.IsSequence)
        {
            servers.AddRange(node.Items().Select(item => Server(item, [])));
        }
        else if (node.IsMapping)
        {
            foreach (var (role, list) in node.Entries())
            {
                if (!Names.IsName(role)) throw list.Error($"is not a valid role name ({Names.NameRule})");
                foreach (var item in list.Items())
                {
                    var server = Server(item, [role]);
                    var same = servers.FindIndex(s => s.Host == server.Host && s.Port == server.Port);
                    if (same >= 0) servers[same] = servers[same] with { Roles = [.. servers[same].Roles, role], Labels = servers[same].Labels.Union(server.Labels).ToList() };
                    else servers.Add(server);
                }
            }
        }
        else
        {
            throw node.Error("must be a list of servers, or servers grouped by role");
        }
        if (servers.Count == 0) throw node.Error("must list at least one server");
        return servers;
    }

    private static ServerConfig Server(ConfigNode node, IReadOnlyList<string> roles)
    {
        if (node.IsScalar) return new ServerConfig(Host(node), null, null, null, roles, []);
        node.AllowOnly(ConfigSchema.KeysOf("servers[]"));
        return new ServerConfig(
            Host(node.Required("host")),
            node.Child("user")?.String(),
            node.Child("port")?.Int(1, 65535),
            node.Child("ssh_key")?.String(),
            roles,
            node.Child("labels")?.StringList() ?? []);
    }

    private static string Host(ConfigNode node)
    {
        var host = node.String().Trim();
        if (!Names.IsHost(host))
            throw node.Error($"must be a host name or IP address (got: \"{host}\")");
        return host;
    }

    private static ServiceConfig Service(string name, ConfigNode node)
    {
        if (!Names.IsName(name)) throw node.Error($"is not a valid service name ({Names.NameRule})");
        if (node.Node is YamlScalarNode { Value: null or "" or "~" }) return new ServiceConfig { Name = name };
        node.AllowOnly(ConfigSchema.KeysOf("services.<name>"));

        var healthNode = node.Child("healthcheck");
        return new ServiceConfig
        {
            Name = name,
            Port = node.Child("port")?.Int(1, 65535) ?? ServiceConfig.DefaultPort,
            Replicas = node.Child("replicas")?.Int(1, PlanLimits.MaxReplicas) ?? ServiceConfig.DefaultReplicas,
            Command = node.Child("command") is { } command ? Command(command) : [],
            Env = Env(node.Child("env")),
            HealthCheck = healthNode is null ? HealthCheckConfig.Default : healthNode.IsFalse ? null : HealthCheck(healthNode),
            HealthCheckImplicit = healthNode is null,
            Volumes = node.Child("volumes") is { } volumes ? volumes.Items().Select(Volume).ToList() : [],
            Options = Options(node.Child("options"), "services.<name>.options"),
        };
    }

    private static IReadOnlyDictionary<string, string> Env(ConfigNode? node) =>
        node is null ? new Dictionary<string, string>() : node.Entries().ToDictionary(e => EnvName(e.Key, e.Value), e => e.Value.String());

    private static DependencyConfig Dependency(string name, ConfigNode node, IReadOnlyList<ServerConfig> servers)
    {
        if (!Names.IsName(name)) throw node.Error($"is not a valid dependency name ({Names.NameRule})");
        node.AllowOnly(ConfigSchema.KeysOf("dependencies.<name>"));
        return new DependencyConfig
        {
            Name = name,
            PlacedOn = Placement(node, servers),
            Image = DependencyImage(node.Required("image")),
            Port = node.Child("port")?.Int(1, 65535) ?? 0,
            Volume = node.Child("volume") is { } volume ? Volume(volume) : null,
            Env = Env(node.Child("env")),
            Command = node.Child("command") is { } command ? Command(command) : [],
            Options = Options(node.Child("options"), "dependencies.<name>.options"),
        };
    }

    private static string DependencyImage(ConfigNode node)
    {
        var image = node.String();
        return ImageReference.IsValid(image) ? image : throw node.Error($"must be an image reference such as postgres:16 or ghcr.io/me/db:1.2 (got: {image})");
    }

    /// <summary>
    /// The server a dependency runs on: named by host:, or the first server with role: or with every one of
    /// labels:. Null (no placement): the primary.
    /// </summary>
    private static ServerConfig? Placement(ConfigNode node, IReadOnlyList<ServerConfig> servers)
    {
        var placements = new[] { "host", "role", "labels" }.Where(key => node.Child(key) is not null).ToList();
        if (placements.Count == 0) return null;
        if (placements.Count > 1)
            throw node.Child(placements[1])!.Error($"places the dependency a second way (it has {string.Join(" and ", placements)})", "keep one of host:, role: or labels:");
        var placement = node.Child(placements[0])!;
        var hosts = string.Join(", ", servers.Select(s => s.Host).Distinct());
        return placements[0] switch
        {
            "host" => servers.FirstOrDefault(s => s.Host == placement.String().Trim())
                      ?? throw placement.Error($"names {placement.String()}, which is not one of the servers ({hosts})", "use the host of a server listed under servers:"),
            "role" => servers.FirstOrDefault(s => s.Roles.Contains(placement.String().Trim()))
                      ?? throw placement.Error($"names the role {placement.String()}, which no server has", "group servers by role under servers:, or use host:"),
            _ => placement.StringList() is var labels && servers.FirstOrDefault(s => labels.All(s.Labels.Contains)) is { } labelled
                ? labelled
                : throw placement.Error($"[{string.Join(", ", placement.StringList())}]: no server has those labels", "add them to a server's labels:, or use host:"),
        };
    }

    /// <summary>name:/path, /host/path:/path, with an optional :ro or :rw.</summary>
    private static string Volume(ConfigNode node)
    {
        var volume = node.String();
        if (!Names.IsVolume(volume)) throw node.Error($"must be {Names.VolumeRule} (got: {volume})");
        return volume;
    }

    private static ContainerOptionsConfig Options(ConfigNode? node, string mapping)
    {
        if (node is null) return ContainerOptionsConfig.None;
        node.AllowOnly(ConfigSchema.KeysOf(mapping));
        var memory = node.Child("memory") is { } memoryNode ? Bytes(memoryNode) : 0;
        var cpus = 0.0;
        if (node.Child("cpus") is { } cpusNode && (!double.TryParse(cpusNode.String(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out cpus) || cpus <= 0 || cpus > PlanLimits.MaxCpus))
            throw cpusNode.Error($"must be a number of CPUs such as 0.5 or 2 (got: {cpusNode.String()})");
        var restart = node.Child("restart")?.String();
        if (restart is not null && !Names.IsRestartPolicy(restart))
            throw node.Child("restart")!.Error($"must be no, always, unless-stopped or on-failure[:N] (got: {restart})");
        return new ContainerOptionsConfig(memory, cpus, restart);
    }

    private static long Bytes(ConfigNode node)
    {
        var text = node.String().Trim().ToLowerInvariant();
        var match = ByteSize().Match(text);
        if (!match.Success) throw node.Error($"must be a size such as 512m or 2g (got: {text})");
        var multiplier = match.Groups[2].Value switch { "k" => 1L << 10, "m" => 1L << 20, "g" => 1L << 30, _ => 1L };
        return (long)(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * multiplier);
    }

    /// <summary>Hook commands keep their ${VAR}s for the shell; the values travel in the hooks' environment.</summary>
    private static HooksConfig Hooks(ConfigNode? node)
    {
        if (node is null) return new HooksConfig([], [], []);
        node.AllowOnly(ConfigSchema.KeysOf("hooks"));
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        return new HooksConfig(
            node.Child("before_deploy")?.ShellCommandList(environment) ?? [],
            node.Child("after_deploy")?.ShellCommandList(environment) ?? [],
            node.Child("after_rollback")?.ShellCommandList(environment) ?? [])
        {
            Environment = environment,
        };
    }

    private static IReadOnlyList<string> Command(ConfigNode node)
    {
        if (node.IsSequence) return node.StringList();
        try { return ShellWords.Split(node.String()); }
        catch (FormatException e) { throw node.Error(e.Message); }
    }

    private static string EnvName(string name, ConfigNode node) =>
        Names.IsEnvironmentVariable(name) ? name : throw node.Error("is not a valid environment variable name");

    private static HealthCheckConfig HealthCheck(ConfigNode node)
    {
        if (node.IsScalar && node.Bool()) return HealthCheckConfig.Default;
        node.AllowOnly(ConfigSchema.KeysOf("services.<name>.healthcheck"));
        var defaults = HealthCheckConfig.Default;
        var path = node.Child("path")?.String() ?? defaults.Path;
        if (!path.StartsWith('/')) throw node.Child("path")!.Error($"must start with / (got: {path})");
        var expect = node.Child("expect") is { } expectNode
            ? (expectNode.IsSequence ? expectNode.Items().Select(i => i.Int(PlanLimits.MinExpectedStatus, PlanLimits.MaxExpectedStatus)).ToList() : [expectNode.Int(PlanLimits.MinExpectedStatus, PlanLimits.MaxExpectedStatus)])
            : defaults.Expect;
        return new HealthCheckConfig(
            path,
            expect,
            node.Child("timeout")?.Duration(PlanLimits.MinHealthTimeout, PlanLimits.MaxHealthTimeout) ?? defaults.Timeout,
            node.Child("interval")?.Duration(PlanLimits.MinHealthInterval, PlanLimits.MaxHealthInterval) ?? defaults.Interval,
            node.Child("retries")?.Int(1, PlanLimits.MaxRetries) ?? defaults.Retries);
    }

    private static ProxyConfig Proxy(ConfigNode? node, string? domain, string projectDirectory)
    {
        if (node is null) return ProxyConfig.Default;
        node.AllowOnly(ConfigSchema.KeysOf("proxy"));
        var sslNode = node.Child("ssl");
        var ssl = sslNode is null || sslNode.IsFalse ? SslMode.Off : sslNode.String() switch
        {
            "letsencrypt" => SslMode.LetsEncrypt,
            "manual" => SslMode.Manual,
            var other => throw sslNode.Error($"must be false, letsencrypt or manual (got: {other})"),
        };
        if (ssl != SslMode.Off && domain is null)
            throw sslNode!.Error("needs `domain:`: a certificate is issued for a name", "add `domain: myapp.example.com` to podlift.yml");
        var email = node.Child("ssl_email")?.String();
        if (email is not null && !EmailPattern().IsMatch(email)) throw node.Child("ssl_email")!.Error($"must be an email address (got: {email})");
        var acme = node.Child("acme_server")?.String() ?? ProxyConfig.Default.AcmeServer;
        if (!Uri.TryCreate(acme, UriKind.Absolute, out var acmeUri) || acmeUri.Scheme != "https" || acme.Contains('\''))
            throw node.Child("acme_server")!.Error($"must be the https:// URL of an ACME directory (got: {acme})");
        string? LocalFile(string key)
        {
            if (node.Child(key) is not { } fileNode) return null;
            var path = Path.GetFullPath(fileNode.String(), projectDirectory);
            return File.Exists(path) ? path : throw fileNode.Error($"names {path}, which does not exist", "point it at your PEM file");
        }
        var certificate = LocalFile("ssl_certificate");
        var key = LocalFile("ssl_certificate_key");
        if (ssl == SslMode.Manual && (certificate is null || key is null))
            throw sslNode!.Error("is manual, so podlift needs your certificate and key", "set proxy.ssl_certificate and proxy.ssl_certificate_key to your PEM files");
        return new ProxyConfig(node.Child("enabled")?.Bool() ?? ProxyConfig.Default.Enabled, ssl, email, acme, certificate, key)
        {
            MaxBodyBytes = node.Child("max_body_size") is { } size ? BodySize(size) : ProxyDefaults.MaxBodyBytes,
            ReadTimeout = node.Child("read_timeout")?.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(24)) ?? ProxyDefaults.ReadTimeout,
            SendTimeout = node.Child("send_timeout")?.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(24)) ?? ProxyDefaults.SendTimeout,
            TrustedProxies = node.Child("trusted_proxies") is { } trusted ? TrustedProxies(trusted) : [],
        };
    }

    /// <summary>A size such as 100m; 0 or `unlimited` lifts the limit.</summary>
    private static long BodySize(ConfigNode node) =>
        node.String().Trim().ToLowerInvariant() is "0" or "unlimited" ? 0 : Bytes(node);

    /// <summary>IP addresses or CIDR ranges, IPv4 or IPv6, written as nginx reads them.</summary>
    private static IReadOnlyList<string> TrustedProxies(ConfigNode node) =>
        node.Items().Select(item =>
        {
            var text = item.String().Trim();
            if (!Names.IsAddressOrNetwork(text))
                throw item.Error($"must be an IP address or a CIDR range such as 10.0.0.0/8 (got: {text})",
                    "list the addresses your load balancer or CDN connects from");
            return System.Net.IPAddress.TryParse(text, out var address) ? address.ToString() : System.Net.IPNetwork.Parse(text).ToString();
        }).Distinct().ToList();

    private static string StripMark(string message) => MarkPrefix().Replace(message, "");

    [GeneratedRegex(@"^[^@\s'""]+@[^@\s'""]+\.[^@\s'""]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([kmg]?)b?$")]
    private static partial Regex ByteSize();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarkPrefix();
}

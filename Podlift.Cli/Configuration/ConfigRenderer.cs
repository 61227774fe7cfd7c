using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Podlift.Cli.Configuration;

/// <summary>
/// `podlift config`: the resolved configuration as YAML, with every default filled in and every ${VAR}
/// expanded, its top-level keys in <see cref="ConfigSchema"/>'s order. Every value under services.*.env,
/// and the registry's password, is treated as a secret and masked unless asked. Pure.
/// </summary>
public static partial class ConfigRenderer
{
    public const string Mask = "********";

    /// <summary>Top-level keys `podlift config` leaves out: already applied (env_file's variables are expanded) or not used (git).</summary>
    public static readonly IReadOnlyList<string> NotRendered = ["env_file", "git"];

    public static string Render(PodliftConfig config, bool showSecrets)
    {
        var yaml = new StringBuilder();
        void Line(int indent, string text) => yaml.Append(' ', indent * 2).Append(text).Append('\n');

        var sections = new Dictionary<string, Action>
        {
            ["service"] = () => Line(0, $"service: {Scalar(config.App)}"),
            ["image"] = () => Line(0, $"image: {Scalar(config.Image)}"),
            ["domain"] = Domain,
            ["servers"] = Servers,
            ["registry"] = Registry,
            ["dependencies"] = Dependencies,
            ["services"] = Services,
            ["proxy"] = Proxy,
            ["drain"] = () => Line(0, $"drain: {Durations.Format(config.Drain)}"),
            ["rollout"] = () => Line(0, $"rollout: {config.Rollout.ToString().ToLowerInvariant()}"),
            ["hooks"] = Hooks,
            ["release"] = Release,
            ["verify"] = Verify,
            ["retain"] = () => Line(0, $"retain: {config.Retain.ToString(CultureInfo.InvariantCulture)}"),
        };

        Line(0, $"# {Path.GetFileName(config.SourcePath)} resolved: defaults filled in, variables expanded");
        Line(0, showSecrets ? "# secrets (env values, the registry password) are shown (--show-secrets)"
            : $"# secrets (env values, the registry password) are masked as {Mask}; --show-secrets shows them");
        foreach (var key in ConfigSchema.KeysOf("").Except(NotRendered)) sections[key]();
        Line(0, $"# primary server: {config.Primary.Host}");
        Line(0, $"# routed by nginx: {config.RoutedService?.Name ?? "(none: no service has an HTTP health check)"}");
        return yaml.ToString();

        void Domain()
        {
            if (config.Domains.Count == 1) Line(0, $"domain: {Scalar(config.Domains[0])}");
            else if (config.Domains.Count > 1) Line(0, $"domain: {List(config.Domains.Select(Scalar))}");
        }

        void Servers()
        {
            Line(0, "servers:");
            if (config.Servers.Any(s => s.Roles.Count > 0))
            {
                foreach (var role in config.Servers.SelectMany(s => s.Roles).Distinct())
                {
                    Line(1, $"{role}:");
                    foreach (var server in config.Servers.Where(s => s.Roles.Contains(role))) Server(server, 2);
                }
            }
            else
            {
                foreach (var server in config.Servers) Server(server, 1);
            }
        }

        void Registry()
        {
            if (config.Registry is not { } registry) return;
            Line(0, "registry:");
            Line(1, $"server: {Scalar(registry.Server)}");
            if (registry.Username is not null) Line(1, $"username: {Scalar(registry.Username)}");
            if (registry.Password is not null) Line(1, $"password: {Quoted(showSecrets ? registry.Password : Mask)}");
        }

        void Services()
        {
            Line(0, "services:");
            foreach (var service in config.Services)
            {
                Line(1, $"{service.Name}:");
                Line(2, $"port: {service.Port.ToString(CultureInfo.InvariantCulture)}");
                Line(2, $"replicas: {service.Replicas.ToString(CultureInfo.InvariantCulture)}");
                if (service.Command.Count > 0) Line(2, $"command: {List(service.Command.Select(Scalar))}");
                Env(service.Env, 2);
                if (service.Volumes.Count > 0) Line(2, $"volumes: {List(service.Volumes.Select(Scalar))}");
                if (Options(service.Options) is { } options) Line(2, $"options: {options}");
                if (service.HealthCheck is { } check)
                {
                    Line(2, "healthcheck:");
                    Line(3, $"path: {Scalar(check.Path)}");
                    Line(3, $"expect: {List(check.Expect.Select(code => code.ToString(CultureInfo.InvariantCulture)))}");
                    Line(3, $"timeout: {Durations.Format(check.Timeout)}");
                    Line(3, $"interval: {Durations.Format(check.Interval)}");
                    Line(3, $"retries: {check.Retries.ToString(CultureInfo.InvariantCulture)}");
                }
                else
                {
                    Line(2, "healthcheck: false");
                }
            }
        }

        void Dependencies()
        {
            if (config.Dependencies.Count == 0) return;
            Line(0, "dependencies:");
            foreach (var dependency in config.Dependencies)
            {
                Line(1, $"{dependency.Name}:");
                Line(2, $"image: {Scalar(dependency.Image)}");
                if (dependency.Port > 0) Line(2, $"port: {dependency.Port.ToString(CultureInfo.InvariantCulture)}");
                if (dependency.Volume is not null) Line(2, $"volume: {Scalar(dependency.Volume)}");
                Line(2, $"host: {Scalar(config.HostOf(dependency).Host)}{(dependency.PlacedOn is null ? "   # the primary" : "")}");
                Env(dependency.Env, 2);
                if (dependency.Command.Count > 0) Line(2, $"command: {List(dependency.Command.Select(Scalar))}");
                if (Options(dependency.Options) is { } options) Line(2, $"options: {options}");
            }
        }

        void Hooks()
        {
            if (!config.Hooks.Any) return;
            Line(0, "hooks:   # as written: the shell that runs them expands their ${VAR}s");
            foreach (var (key, commands) in new[] { ("before_deploy", config.Hooks.BeforeDeploy), ("after_deploy", config.Hooks.AfterDeploy), ("after_rollback", config.Hooks.AfterRollback) })
                if (commands.Count > 0) Line(1, $"{key}: {List(commands.Select(ShellCommand))}");
        }

        void Verify()
        {
            if (config.Verify is not { } verify) return;
            Line(0, "verify:");
            Line(1, $"window: {Durations.Format(verify.Window)}");
            Line(1, $"max_error_rate: {(verify.MaxErrorRate * 100).ToString("0.##", CultureInfo.InvariantCulture)}%");
            Line(1, $"min_requests: {verify.MinRequests.ToString(CultureInfo.InvariantCulture)}");
        }

        void Release()
        {
            if (config.Release is not { } release) return;
            Line(0, "release:");
            Line(1, $"command: {List(release.Command.Select(Scalar))}");
            Line(1, $"service: {Scalar(release.Service)}");
            Line(1, $"timeout: {Durations.Format(release.Timeout)}");
        }

        void Proxy()
        {
            Line(0, "proxy:");
            Line(1, $"enabled: {(config.Proxy.Enabled ? "true" : "false")}");
            Line(1, $"ssl: {SslModes.Written(config.Proxy.Ssl)}");
            if (config.Proxy.Ssl != SslMode.Off)
            {
                if (config.Proxy.Email is not null) Line(1, $"ssl_email: {Scalar(config.Proxy.Email)}");
                Line(1, $"acme_server: {Scalar(config.Proxy.AcmeServer)}");
                if (config.Proxy.CertificateFile is not null) Line(1, $"ssl_certificate: {Scalar(config.Proxy.CertificateFile)}");
                if (config.Proxy.KeyFile is not null) Line(1, $"ssl_certificate_key: {Scalar(config.Proxy.KeyFile)}");
            }
            Line(1, $"max_body_size: {(config.Proxy.MaxBodyBytes == 0 ? "unlimited" : ByteSizes.Format(config.Proxy.MaxBodyBytes))}");
            Line(1, $"read_timeout: {Durations.Format(config.Proxy.ReadTimeout)}");
            Line(1, $"send_timeout: {Durations.Format(config.Proxy.SendTimeout)}");
            if (config.Proxy.TrustedProxies.Count > 0) Line(1, $"trusted_proxies: {List(config.Proxy.TrustedProxies.Select(p => Quoted(p)))}");
        }

        void Env(IReadOnlyDictionary<string, string> env, int indent)
        {
            if (env.Count == 0) return;
            Line(indent, "env:");
            foreach (var (name, value) in env)
                Line(indent + 1, $"{name}: {Quoted(showSecrets || value.Length == 0 ? value : Mask)}");
        }

        void Server(ServerConfig server, int indent)
        {
            Line(indent, $"- host: {Scalar(server.Host)}");
            // unset, ssh's config decides: `ssh -G <host>` shows what it uses
            if (server.User is not null) Line(indent + 1, $"user: {Scalar(server.User)}");
            if (server.Port is { } port) Line(indent + 1, $"port: {port.ToString(CultureInfo.InvariantCulture)}");
            if (server.SshKey is not null) Line(indent + 1, $"ssh_key: {Scalar(server.SshKey)}");
            if (server.Labels.Count > 0) Line(indent + 1, $"labels: {List(server.Labels.Select(Scalar))}");
        }
    }

    private static string List(IEnumerable<string> items) => $"[{string.Join(", ", items)}]";

    /// <summary>"{ memory: 512m, cpus: 1.5, restart: always }", or null when no option is set.</summary>
    private static string? Options(ContainerOptionsConfig options)
    {
        var parts = new List<string>();
        if (options.MemoryBytes > 0) parts.Add($"memory: {ByteSizes.Format(options.MemoryBytes)}");
        if (options.Cpus > 0) parts.Add($"cpus: {options.Cpus.ToString(CultureInfo.InvariantCulture)}");
        if (options.Restart is not null) parts.Add($"restart: {Quoted(options.Restart)}");
        return parts.Count > 0 ? $"{{ {string.Join(", ", parts)} }}" : null;
    }

    /// <summary>A hook as written: its ${VAR}s stay references, and the shell's literal \${ is podlift.yml's $${ again.</summary>
    private static string ShellCommand(string command) => Quoted(command.Replace("\\${", "$${", StringComparison.Ordinal), escapeVariables: false);

    /// <summary>A plain scalar when YAML reads it back as the same string, else a double-quoted one.</summary>
    public static string Scalar(string text) =>
        PlainSafe().IsMatch(text) && !text.EndsWith(':') && !Reserved.Contains(text.ToLowerInvariant()) ? text : Quoted(text);

    /// <summary>A double-quoted scalar; "${" is written "$${" so that podlift reads the value back unexpanded.</summary>
    public static string Quoted(string text, bool escapeVariables = true)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in escapeVariables ? text.Replace("${", "$${", StringComparison.Ordinal) : text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    private static readonly HashSet<string> Reserved = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"];

    [GeneratedRegex(@"^[A-Za-z0-9_./][A-Za-z0-9_./@+:=-]*$")]
    private static partial Regex PlainSafe();
}

using Podlift.Cli.Configuration;

namespace Podlift.Tests.Unit;

public class ConfigRendererTests
{
    private const string Secret = "hunter2-do-not-print";

    private static PodliftConfig Config(IReadOnlyDictionary<string, string>? env = null) => new()
    {
        App = "shop",
        Image = "ghcr.io/me/shop",
        Domains = ["shop.example.com"],
        SourcePath = "/srv/shop/podlift.yml",
        Servers =
        [
            new ServerConfig("10.0.0.1", "deploy", 2222, "~/.ssh/id_ed25519", ["web"], ["primary"]),
            new ServerConfig("10.0.0.2", "root", 22, null, ["worker"], []),
        ],
        Services =
        [
            new ServiceConfig
            {
                Name = "web",
                Replicas = 2,
                Command = ["bin/server", "--port", "8000"],
                Env = env ?? new Dictionary<string, string> { ["DATABASE_URL"] = $"postgres://app:{Secret}@db/app", ["EMPTY"] = "" },
            },
            new ServiceConfig
            {
                Name = "worker", HealthCheck = null, Env = new Dictionary<string, string> { ["TOKEN"] = Secret },
                Volumes = ["uploads:/app/uploads", "/srv/config:/config:ro"], Options = new ContainerOptionsConfig(512L << 20, 1.5, "always"),
            },
        ],
        Dependencies =
        [
            new DependencyConfig
            {
                Name = "postgres", Image = "postgres:16", Port = 5432, Volume = "pgdata:/var/lib/postgresql/data",
                Env = new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = Secret }, Command = ["postgres", "-c", "fsync=off"],
                Options = new ContainerOptionsConfig(1L << 30, 0, null),
            },
            new DependencyConfig { Name = "redis", Image = "redis:7", PlacedOn = new ServerConfig("10.0.0.2", "root", 22, null, ["worker"], []) },
        ],
        Hooks = new HooksConfig(["./check --for \"${PODLIFT_VERSION}\""], ["echo \\${NOT_EXPANDED} > /tmp/x"], []),
        Retain = 5,
        Drain = TimeSpan.FromSeconds(90),
        Registry = new RegistryConfig("registry.example.com:5000", "deployer", RegistrySecret),
    };

    private const string RegistrySecret = "registry-pass-do-not-print";

    [Test]
    public void Env_values_are_masked_and_never_appear()
    {
        var yaml = ConfigRenderer.Render(Config(), showSecrets: false);

        Assert.That(yaml, Does.Not.Contain(Secret));
        Assert.That(yaml, Does.Contain("DATABASE_URL: \"********\"").And.Contain("TOKEN: \"********\""));
        Assert.That(yaml, Does.Contain("EMPTY: \"\""), "an empty value gives nothing away");
        Assert.That(yaml, Does.Not.Contain(RegistrySecret));
        Assert.That(yaml, Does.Contain("    env:\n      POSTGRES_PASSWORD: \"********\"\n"), "dependency env values are masked too");
        Assert.That(yaml, Does.Contain("registry:\n  server: registry.example.com:5000\n  username: deployer\n  password: \"********\"\n"));
    }

    [Test]
    public void Show_secrets_shows_the_values()
    {
        var yaml = ConfigRenderer.Render(Config(), showSecrets: true);

        Assert.That(yaml, Does.Contain($"DATABASE_URL: \"postgres://app:{Secret}@db/app\"").And.Contain($"TOKEN: \"{Secret}\""));
        Assert.That(yaml, Does.Contain($"password: \"{RegistrySecret}\""));
        Assert.That(yaml, Does.Not.Contain("********\""));
    }

    [Test]
    public void Defaults_are_filled_in()
    {
        var yaml = ConfigRenderer.Render(Config(), showSecrets: false);

        Assert.That(yaml, Does.Contain("""
              web:
                port: 8000
                replicas: 2
                command: [bin/server, "--port", 8000]
            """.ReplaceLineEndings("\n")));
        Assert.That(yaml, Does.Contain("""
                healthcheck:
                  path: /health
                  expect: [200]
                  timeout: 30s
                  interval: 10s
                  retries: 3
            """.ReplaceLineEndings("\n")));
        Assert.That(yaml, Does.Contain("healthcheck: false"));
        Assert.That(yaml, Does.Contain("proxy:\n  enabled: true\n  ssl: false\n  max_body_size: 100m\n  read_timeout: 2m00s\n  send_timeout: 2m00s\ndrain: 1m30s\n"));
        Assert.That(yaml, Does.Contain("# primary server: 10.0.0.1").And.Contain("# routed by nginx: web"));
    }

    [Test]
    public void Rendered_with_secrets_it_loads_back_to_the_same_configuration()
    {
        var original = Config(new Dictionary<string, string> { ["QUOTED"] = "say \"hi\" # not a comment", ["MULTI"] = "a\nb", ["DOLLAR"] = "$HOME and $${x}" });
        var directory = Directory.CreateTempSubdirectory("podlift-render-").FullName;
        try
        {
            var path = Path.Combine(directory, "podlift.yml");
            File.WriteAllText(path, ConfigRenderer.Render(original, showSecrets: true));

            var loaded = ConfigLoader.Load(path, new Dictionary<string, string>());

            Assert.That(loaded.App, Is.EqualTo(original.App));
            Assert.That(loaded.Domain, Is.EqualTo(original.Domain));
            Assert.That(loaded.Drain, Is.EqualTo(original.Drain));
            Assert.That(loaded.Servers.Select(s => (s.Host, s.User, s.Port, s.SshKey, string.Join(",", s.Roles), string.Join(",", s.Labels))),
                Is.EqualTo(original.Servers.Select(s => (s.Host, s.User, s.Port, s.SshKey, string.Join(",", s.Roles), string.Join(",", s.Labels)))));
            Assert.That(loaded.Services[0].Command, Is.EqualTo(original.Services[0].Command));
            Assert.That(loaded.Services[0].Env, Is.EquivalentTo(original.Services[0].Env));
            Assert.That(loaded.Services[1].HealthCheck, Is.Null);
            Assert.That(loaded.Services[0].HealthCheck!.Timeout, Is.EqualTo(original.Services[0].HealthCheck!.Timeout));
            Assert.That(loaded.Registry, Is.EqualTo(original.Registry));
            Assert.That(loaded.Retain, Is.EqualTo(5));
            Assert.That(loaded.Services[1].Volumes, Is.EqualTo(original.Services[1].Volumes));
            Assert.That(loaded.Services[1].Options, Is.EqualTo(original.Services[1].Options));
            Assert.That(loaded.Dependencies.Select(d => (d.Name, d.Image, d.Port, d.Volume, string.Join(' ', d.Command), d.Options, loaded.HostOf(d).Host)),
                Is.EqualTo(original.Dependencies.Select(d => (d.Name, d.Image, d.Port, d.Volume, string.Join(' ', d.Command), d.Options, original.HostOf(d).Host))));
            Assert.That(loaded.Dependencies[0].Env, Is.EquivalentTo(original.Dependencies[0].Env));
            Assert.That(loaded.Hooks.BeforeDeploy, Is.EqualTo(original.Hooks.BeforeDeploy), "a hook's ${VAR} stays a reference");
            Assert.That(loaded.Hooks.AfterDeploy, Is.EqualTo(original.Hooks.AfterDeploy), "and its literal \\${ stays literal");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Letsencrypt_settings_are_printed_under_proxy()
    {
        var config = Config() with { Proxy = new ProxyConfig(true, SslMode.LetsEncrypt, "ops@example.com") };

        var yaml = ConfigRenderer.Render(config, showSecrets: false);

        Assert.That(yaml, Does.Contain(
            "proxy:\n  enabled: true\n  ssl: letsencrypt\n  ssl_email: ops@example.com\n  acme_server: https://acme-v02.api.letsencrypt.org/directory\n  max_body_size: 100m\n"));
    }

    [Test]
    public void Manual_ssl_prints_the_certificate_files()
    {
        var config = Config() with { Proxy = new ProxyConfig(false, SslMode.Manual, CertificateFile: "/srv/tls/fullchain.pem", KeyFile: "/srv/tls/privkey.pem") };

        var yaml = ConfigRenderer.Render(config, showSecrets: false);

        Assert.That(yaml, Does.Contain("  enabled: false\n  ssl: manual\n"));
        Assert.That(yaml, Does.Contain("  ssl_certificate: /srv/tls/fullchain.pem\n  ssl_certificate_key: /srv/tls/privkey.pem\n"));
        Assert.That(yaml, Does.Not.Contain("ssl_email"));
    }

    [Test]
    public void Rendered_ssl_settings_load_back_the_same()
    {
        var original = Config() with { Proxy = new ProxyConfig(true, SslMode.LetsEncrypt, "ops@example.com", "https://pebble:14000/dir") };
        using var dir = new TempDirectory();

        var loaded = ConfigLoader.Load(dir.Write("podlift.yml", ConfigRenderer.Render(original, showSecrets: true)), new Dictionary<string, string>());

        Assert.That(loaded.Proxy, Is.EqualTo(original.Proxy));
    }

    [TestCase("web", "web")]
    [TestCase("10.0.0.1", "10.0.0.1")]
    [TestCase("ghcr.io/me/app", "ghcr.io/me/app")]
    [TestCase("yes", "\"yes\"")]
    [TestCase("a b", "\"a b\"")]
    [TestCase("a:", "\"a:\"")]
    [TestCase("*alias", "\"*alias\"")]
    [TestCase("", "\"\"")]
    [TestCase("tab\there", "\"tab\\there\"")]
    public void Scalars_are_quoted_only_when_yaml_would_read_them_otherwise(string text, string expected) =>
        Assert.That(ConfigRenderer.Scalar(text), Is.EqualTo(expected));

    [Test]
    public void Notify_urls_are_shown_masked_unless_secrets_are_asked_for()
    {
        var config = Config() with { Notify = [new Uri($"https://hooks.slack.com/services/T0/B0/{Secret}")] };

        Assert.That(ConfigRenderer.Render(Config(), showSecrets: false), Does.Not.Contain("notify:"));
        Assert.That(ConfigRenderer.Render(config, showSecrets: false), Does.Contain("notify:\n  - \"https://hooks.slack.com/***\"\n").And.Not.Contain(Secret));
        Assert.That(ConfigRenderer.Render(config, showSecrets: true), Does.Contain($"  - https://hooks.slack.com/services/T0/B0/{Secret}\n"));
    }

    [Test]
    public void Builder_platform_is_shown_only_when_set()
    {
        Assert.That(ConfigRenderer.Render(Config(), showSecrets: false), Does.Not.Contain("builder:"));
        Assert.That(ConfigRenderer.Render(Config() with { BuildPlatform = Podlift.Cli.Building.Platform.Arm64 }, showSecrets: false),
            Does.Contain("builder:\n  platform: linux/arm64\n"));
    }
}

using NUnit.Framework;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;

namespace Podlift.Tests.Unit;

public class ConfigLoaderTests
{
    // lines 1-4; whatever a test appends starts on line 5
    private const string Base = """
        service: myapp
        image: ghcr.io/me/myapp
        servers:
          - 10.0.0.1

        """;

    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    private TempDirectory _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => _dir.Dispose();

    private PodliftConfig Load(string yaml, string? dotEnv = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (dotEnv is not null) _dir.Write(".env", dotEnv);
        return ConfigLoader.Load(_dir.Write("podlift.yml", yaml), environment ?? NoEnvironment);
    }

    private ConfigurationException LoadFails(string yaml, string? dotEnv = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(yaml, dotEnv, environment))!;
        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Configuration));
        Assert.That((int)error.ExitCode, Is.EqualTo(2));
        return error;
    }

    [Test]
    public void Minimal_config_gets_the_documented_defaults()
    {
        var config = Load(Base);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.App, Is.EqualTo("myapp"));
            Assert.That(config.Image, Is.EqualTo("ghcr.io/me/myapp"));
            Assert.That(config.Domain, Is.Null);
            Assert.That(config.Drain, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(config.Proxy.Enabled, Is.True);
            Assert.That(config.SourcePath, Is.EqualTo(_dir.PathOf("podlift.yml")));

            var server = config.Servers.Single();
            Assert.That(server.Host, Is.EqualTo("10.0.0.1"));
            Assert.That(server.User, Is.Null, "unset: ssh's config decides");
            Assert.That(server.Port, Is.Null, "unset: ssh's config decides");
            Assert.That(server.SshKey, Is.Null);
            Assert.That(server.Roles, Is.Empty);

            var service = config.Services.Single();
            Assert.That(service.Name, Is.EqualTo("web"));
            Assert.That(service.Port, Is.EqualTo(8000));
            Assert.That(service.Replicas, Is.EqualTo(1));
            Assert.That(service.Command, Is.Empty);
            Assert.That(service.Env, Is.Empty);

            var check = service.HealthCheck!;
            Assert.That(check.Path, Is.EqualTo("/health"));
            Assert.That(check.Expect, Is.EqualTo(new[] { 200 }));
            Assert.That(check.Timeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(check.Interval, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(check.Retries, Is.EqualTo(3));
        }
    }

    [Test]
    public void Full_service_settings_are_read()
    {
        var config = Load(Base + """
            domain: example.com
            drain: 45s
            services:
              web:
                port: 3000
                replicas: 2
                command: gunicorn app:app --bind "0.0.0.0:3000"
                env:
                  MODE: production
                healthcheck:
                  path: /up
                  expect: [200, 204]
                  timeout: 1m
                  interval: 500ms
                  retries: 5
            """);

        var web = config.Services.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Domain, Is.EqualTo("example.com"));
            Assert.That(config.Drain, Is.EqualTo(TimeSpan.FromSeconds(45)));
            Assert.That(web.Port, Is.EqualTo(3000));
            Assert.That(web.Replicas, Is.EqualTo(2));
            Assert.That(web.Command, Is.EqualTo(new[] { "gunicorn", "app:app", "--bind", "0.0.0.0:3000" }));
            Assert.That(web.Env, Is.EqualTo(new Dictionary<string, string> { ["MODE"] = "production" }));
            Assert.That(web.HealthCheck!.Path, Is.EqualTo("/up"));
            Assert.That(web.HealthCheck.Expect, Is.EqualTo(new[] { 200, 204 }));
            Assert.That(web.HealthCheck.Timeout, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(web.HealthCheck.Interval, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
            Assert.That(web.HealthCheck.Retries, Is.EqualTo(5));
        }
    }

    [Test]
    public void Command_may_be_a_list()
    {
        var config = Load(Base + """
            services:
              web:
                command: [python, "-m", "http.server", "8000"]
            """);

        Assert.That(config.Services[0].Command, Is.EqualTo(new[] { "python", "-m", "http.server", "8000" }));
    }

    [Test]
    public void Servers_as_a_plain_list_have_no_roles_and_keep_their_settings()
    {
        var config = Load("""
            service: myapp
            image: myapp
            servers:
              - 10.0.0.1
              - host: 10.0.0.2
                user: deploy
                port: 2222
                ssh_key: /keys/id_ed25519
                labels: [primary]
            """);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Servers.Select(s => s.Host), Is.EqualTo(new[] { "10.0.0.1", "10.0.0.2" }));
            Assert.That(config.Servers.All(s => s.Roles.Count == 0), Is.True);
            Assert.That(config.Servers[1].User, Is.EqualTo("deploy"));
            Assert.That(config.Servers[1].Port, Is.EqualTo(2222));
            Assert.That(config.Servers[1].SshKey, Is.EqualTo("/keys/id_ed25519"));
            Assert.That(config.Primary.Host, Is.EqualTo("10.0.0.2"));
            Assert.That(config.ServicesOn(config.Servers[0]).Select(s => s.Name), Is.EqualTo(new[] { "web" }));
        }
    }

    [Test]
    public void Primary_is_the_first_server_when_none_is_labelled()
    {
        var config = Load("""
            service: myapp
            image: myapp
            servers: [10.0.0.1, 10.0.0.2]
            """);

        Assert.That(config.Primary.Host, Is.EqualTo("10.0.0.1"));
    }

    [Test]
    public void Servers_grouped_by_role_merge_a_host_listed_under_several_roles()
    {
        var config = Load("""
            service: myapp
            image: myapp
            servers:
              web:
                - 10.0.0.1
                - host: 10.0.0.2
                  labels: [primary]
              worker:
                - 10.0.0.1
            services:
              web:
              worker:
                command: ./worker
                healthcheck: false
            """);

        var first = config.Servers.Single(s => s.Host == "10.0.0.1");
        var second = config.Servers.Single(s => s.Host == "10.0.0.2");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Servers, Has.Count.EqualTo(2));
            Assert.That(first.Roles, Is.EqualTo(new[] { "web", "worker" }));
            Assert.That(second.Roles, Is.EqualTo(new[] { "web" }));
            Assert.That(second.Labels, Is.EqualTo(new[] { "primary" }));
            Assert.That(config.Primary, Is.SameAs(second));
            Assert.That(config.ServicesOn(first).Select(s => s.Name), Is.EqualTo(new[] { "web", "worker" }));
            Assert.That(config.ServicesOn(second).Select(s => s.Name), Is.EqualTo(new[] { "web" }));
        }
    }

    [TestCase("false")]
    [TestCase("no")]
    [TestCase("False")]
    public void Healthcheck_false_means_no_http_check(string value)
    {
        var config = Load(Base + $"""
            services:
              worker:
                healthcheck: {value}
            """);

        Assert.That(config.Services.Single().HealthCheck, Is.Null);
    }

    [Test]
    public void Healthcheck_true_means_the_default_check()
    {
        var config = Load(Base + """
            services:
              web:
                healthcheck: true
            """);

        Assert.That(config.Services.Single().HealthCheck, Is.SameAs(HealthCheckConfig.Default));
    }

    [Test]
    public void Variables_are_expanded_from_the_env_file()
    {
        var config = Load(Base + """
            services:
              web:
                env:
                  DATABASE_URL: postgres://${DB_USER}@db/${DB_NAME}
            """, dotEnv: "DB_USER=app\nDB_NAME=prod\n");

        Assert.That(config.Services[0].Env["DATABASE_URL"], Is.EqualTo("postgres://app@db/prod"));
    }

    [Test]
    public void The_environment_wins_over_the_env_file()
    {
        var config = Load(Base + """
            services:
              web:
                env:
                  LEVEL: ${LOG_LEVEL}
            """, dotEnv: "LOG_LEVEL=info\n", environment: new Dictionary<string, string> { ["LOG_LEVEL"] = "debug" });

        Assert.That(config.Services[0].Env["LEVEL"], Is.EqualTo("debug"));
    }

    [TestCase(null, "8080")]
    [TestCase("", "8080")]
    [TestCase("9000", "9000")]
    public void Default_applies_when_the_variable_is_unset_or_empty(string? value, string expected)
    {
        var environment = value is null ? NoEnvironment : new Dictionary<string, string> { ["APP_PORT"] = value };

        var config = Load(Base + """
            services:
              web:
                port: ${APP_PORT:-8080}
            """, environment: environment);

        Assert.That(config.Services[0].Port, Is.EqualTo(int.Parse(expected)));
    }

    [Test]
    public void Double_dollar_is_a_literal_dollar_brace()
    {
        var config = Load(Base + """
            services:
              web:
                env:
                  TEMPLATE: "$${NOT_A_VARIABLE}"
            """);

        Assert.That(config.Services[0].Env["TEMPLATE"], Is.EqualTo("${NOT_A_VARIABLE}"));
    }

    [Test]
    public void An_explicit_env_file_is_read_relative_to_the_config()
    {
        _dir.Write("production.env", "SECRET=s3cret\n");
        var config = Load(Base + """
            env_file: production.env
            services:
              web:
                env:
                  SECRET: ${SECRET}
            """, dotEnv: "SECRET=from-dot-env\n");

        Assert.That(config.Services[0].Env["SECRET"], Is.EqualTo("s3cret"));
    }

    [Test]
    public void A_missing_variable_names_the_key_path_and_the_variable()
    {
        var error = LoadFails(Base + """
            services:
              web:
                env:
                  DATABASE_URL: ${DATABASE_URL}
            """);

        Assert.That(error.Message, Does.Contain("services.web.env.DATABASE_URL"));
        Assert.That(error.Message, Does.Contain("${DATABASE_URL}, which is not set"));
        Assert.That(error.Fix, Does.Contain("DATABASE_URL=").And.Contain(".env"));
    }

    [Test]
    public void A_missing_variable_fix_names_the_explicit_env_file()
    {
        _dir.Write("prod.env", "OTHER=1\n");
        var error = LoadFails(Base + """
            env_file: prod.env
            domain: ${DOMAIN}
            """);

        Assert.That(error.Message, Does.Contain("domain uses ${DOMAIN}"));
        Assert.That(error.Fix, Does.Contain("prod.env"));
    }

    [Test]
    public void A_yaml_syntax_error_names_the_file_and_line()
    {
        var error = LoadFails("""
            service: myapp
            image: myapp
            servers: [10.0.0.1
            services:
            """);

        Assert.That(error.Message, Does.Match(@"^podlift\.yml:\d+:\d+: YAML syntax error"));
        Assert.That(error.Message, Does.Not.Contain("Idx:"), "YamlDotNet's position prefix is stripped");
    }

    [Test]
    public void A_yaml_syntax_error_points_at_the_offending_line()
    {
        var error = LoadFails("""
            service: myapp
            image: myapp
            servers:
              - 10.0.0.1
             bad: indentation
            """);

        Assert.That(error.Message, Does.StartWith("podlift.yml:5:"));
    }

    [Test]
    public void A_missing_file_names_the_file_and_suggests_podlift_init()
    {
        var path = _dir.PathOf("podlift.yml");

        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Load(path, NoEnvironment))!;

        Assert.That(error.Message, Is.EqualTo($"podlift.yml not found in {_dir.Path}"));
        Assert.That(error.Fix, Does.Contain("podlift init"));
    }

    [Test]
    public void An_explicit_env_file_that_does_not_exist_is_an_error()
    {
        var error = LoadFails(Base + "env_file: secrets.env\n");

        Assert.That(error.Message, Does.StartWith("env_file secrets.env not found"));
        Assert.That(error.Message, Does.Contain(_dir.PathOf("secrets.env")));
    }

    [Test]
    public void A_missing_default_dot_env_is_fine()
    {
        Assert.That(File.Exists(_dir.PathOf(".env")), Is.False);

        Assert.That(Load(Base).App, Is.EqualTo("myapp"));
    }

    [Test]
    public void An_invalid_env_file_line_is_a_configuration_error()
    {
        var error = LoadFails(Base, dotEnv: "GOOD=1\nnot a variable\n");

        Assert.That(error.Message, Does.StartWith(".env:2: expected KEY=VALUE"));
    }

    [Test]
    public void Letsencrypt_with_a_domain_defaults_to_the_lets_encrypt_production_directory()
    {
        var config = Load(Base + """
            domain: shop.example.com
            proxy:
              ssl: letsencrypt
              ssl_email: ops@example.com
            """);

        Assert.That(config.Proxy, Is.EqualTo(new ProxyConfig(true, SslMode.LetsEncrypt, "ops@example.com", "https://acme-v02.api.letsencrypt.org/directory")));
        Assert.That(ProxyConfig.LetsEncrypt, Is.EqualTo("https://acme-v02.api.letsencrypt.org/directory"));
    }

    [Test]
    public void Acme_server_overrides_the_directory()
    {
        var config = Load(Base + """
            domain: shop.example.com
            proxy:
              ssl: letsencrypt
              acme_server: https://pebble:14000/dir
            """);

        Assert.That(config.Proxy.AcmeServer, Is.EqualTo("https://pebble:14000/dir"));
        Assert.That(config.Proxy.Email, Is.Null, "the email may come from --email instead");
    }

    [TestCase("false")]
    [TestCase("no")]
    [TestCase("off")]
    public void Ssl_false_is_http_only_even_without_a_domain(string value)
    {
        var config = Load(Base + $"proxy:\n  ssl: {value}\n");

        Assert.That(config.Proxy.Ssl, Is.EqualTo(SslMode.Off));
    }

    [Test]
    public void Without_a_proxy_section_ssl_is_off()
    {
        Assert.That(Load(Base).Proxy, Is.EqualTo(new ProxyConfig(true)));
        Assert.That(Load(Base).Proxy.Ssl, Is.EqualTo(SslMode.Off));
    }

    [Test]
    public void Manual_ssl_resolves_the_certificate_files_next_to_the_config()
    {
        _dir.Write("fullchain.pem", "-----BEGIN CERTIFICATE-----\n");
        Directory.CreateDirectory(_dir.PathOf("tls"));
        _dir.Write("tls/privkey.pem", "-----BEGIN PRIVATE KEY-----\n");

        var config = Load(Base + """
            domain: shop.example.com
            proxy:
              ssl: manual
              ssl_certificate: fullchain.pem
              ssl_certificate_key: tls/privkey.pem
            """);

        Assert.That(config.Proxy.Ssl, Is.EqualTo(SslMode.Manual));
        Assert.That(config.Proxy.CertificateFile, Is.EqualTo(_dir.PathOf("fullchain.pem")));
        Assert.That(config.Proxy.KeyFile, Is.EqualTo(_dir.PathOf("tls/privkey.pem")));
    }

    [TestCase("ssl_certificate: fullchain.pem")]
    [TestCase("ssl_certificate_key: privkey.pem")]
    public void Manual_ssl_needs_both_the_certificate_and_the_key(string onlyOne)
    {
        _dir.Write("fullchain.pem", "cert");
        _dir.Write("privkey.pem", "key");

        var error = LoadFails(Base + $"domain: shop.example.com\nproxy:\n  ssl: manual\n  {onlyOne}\n");

        Assert.That(error.Message, Does.Contain("proxy.ssl is manual, so podlift needs your certificate and key"));
        Assert.That(error.Fix, Does.Contain("ssl_certificate").And.Contain("ssl_certificate_key"));
    }

    [Test]
    public void A_certificate_file_that_does_not_exist_is_named_in_full()
    {
        _dir.Write("privkey.pem", "key");

        var error = LoadFails(Base + "domain: shop.example.com\nproxy:\n  ssl: manual\n  ssl_certificate: certs/fullchain.pem\n  ssl_certificate_key: privkey.pem\n");

        Assert.That(error.Message, Does.Contain($"proxy.ssl_certificate names {_dir.PathOf("certs/fullchain.pem")}, which does not exist"));
    }

    [TestCase("example.com")]
    [TestCase("shop.example.com")]
    [TestCase("my-shop.example.co.uk")]
    [TestCase("localhost")]
    [TestCase("xn--bcher-kva.example")]
    public void A_host_name_is_a_valid_domain(string domain)
    {
        Assert.That(Load(Base + $"domain: {domain}\n").Domain, Is.EqualTo(domain));
    }

    [Test]
    public void Dependencies_are_read_with_their_settings()
    {
        var config = Load(Base + """
            dependencies:
              postgres:
                image: postgres:16
                port: 5432
                volume: pgdata:/var/lib/postgresql/data
                env:
                  POSTGRES_PASSWORD: s3cret
                command: postgres -c max_connections=200
                options:
                  memory: 1g
                  restart: always
              redis:
                image: redis:7
            """);

        var postgres = config.Dependencies[0];
        var redis = config.Dependencies[1];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Dependencies.Select(d => d.Name), Is.EqualTo(new[] { "postgres", "redis" }));
            Assert.That(postgres.Image, Is.EqualTo("postgres:16"));
            Assert.That(postgres.Port, Is.EqualTo(5432));
            Assert.That(postgres.Volume, Is.EqualTo("pgdata:/var/lib/postgresql/data"));
            Assert.That(postgres.Env, Is.EqualTo(new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = "s3cret" }));
            Assert.That(postgres.Command, Is.EqualTo(new[] { "postgres", "-c", "max_connections=200" }));
            Assert.That(postgres.Options, Is.EqualTo(new ContainerOptionsConfig(1L << 30, 0, "always")));
            Assert.That(redis.Image, Is.EqualTo("redis:7"));
            Assert.That(redis.Port, Is.Zero, "not published");
            Assert.That(redis.Volume, Is.Null);
            Assert.That(redis.Options, Is.SameAs(ContainerOptionsConfig.None));
        }
    }

    [Test]
    public void Without_dependencies_hooks_or_retain_the_defaults_apply()
    {
        var config = Load(Base);

        Assert.That(config.Dependencies, Is.Empty);
        Assert.That(config.Hooks.Any, Is.False);
        Assert.That(config.Retain, Is.EqualTo(3));
    }

    [Test]
    public void Hooks_are_one_command_or_a_list()
    {
        var config = Load(Base + """
            hooks:
              before_deploy: ./bin/check
              after_deploy: [./bin/migrate, "./bin/notify deployed"]
            """);

        Assert.That(config.Hooks.BeforeDeploy, Is.EqualTo(new[] { "./bin/check" }));
        Assert.That(config.Hooks.AfterDeploy, Is.EqualTo(new[] { "./bin/migrate", "./bin/notify deployed" }));
        Assert.That(config.Hooks.AfterRollback, Is.Empty);
        Assert.That(config.Hooks.Any, Is.True);
    }

    [Test]
    public void Hooks_keep_their_variables_for_the_shell_and_carry_the_values_beside_them()
    {
        var config = Load(Base + """
            hooks:
              before_deploy: ./bin/check --token "${DEPLOY_TOKEN}" --level ${LEVEL:-info} --mode ${MODE:-fast}
              after_deploy:
                - echo "$${NOT_A_VARIABLE} for $PODLIFT_VERSION ${PODLIFT_PREVIOUS_VERSION}"
            """, dotEnv: "DEPLOY_TOKEN=t0ken-s3cret\nMODE=\nUNUSED=x\n");

        Assert.That(config.Hooks.BeforeDeploy.Single(), Is.EqualTo("./bin/check --token \"${DEPLOY_TOKEN}\" --level ${LEVEL:-info} --mode ${MODE:-fast}"));
        Assert.That(config.Hooks.AfterDeploy.Single(), Is.EqualTo("echo \"\\${NOT_A_VARIABLE} for $PODLIFT_VERSION ${PODLIFT_PREVIOUS_VERSION}\""),
            "a literal $${ becomes the shell's \\${; the agent's own PODLIFT_ variables may be named before they exist");
        Assert.That(config.Hooks.Environment, Is.EqualTo(new Dictionary<string, string> { ["DEPLOY_TOKEN"] = "t0ken-s3cret", ["MODE"] = "" }),
            "the values of the variables named and set; LEVEL is unset (the shell applies the default), UNUSED is not named");
    }

    [Test]
    public void Hooks_never_carry_the_variables_that_describe_this_machine()
    {
        var config = Load(Base + """
            hooks:
              before_deploy: cd ${HOME} && PATH=${PATH}:/opt/bin ./check --as ${USER} --tmp ${TMPDIR} --lang ${LC_ALL} --token ${DEPLOY_TOKEN}
            """, dotEnv: "DEPLOY_TOKEN=t0ken\nTMPDIR=/from/dotenv\n",
            environment: new Dictionary<string, string> { ["HOME"] = "/Users/me", ["PATH"] = "/opt/homebrew/bin:/usr/bin", ["LC_ALL"] = "en_US.UTF-8" });

        Assert.That(config.Hooks.Environment, Is.EqualTo(new Dictionary<string, string> { ["DEPLOY_TOKEN"] = "t0ken" }),
            "the server's own HOME, PATH, USER, TMPDIR and locale apply; USER, unset here, is not an error either");
    }

    [Test]
    public void A_hook_naming_an_unset_variable_without_a_default_is_refused_as_before()
    {
        var error = LoadFails(Base + "hooks:\n  after_deploy:\n    - echo ${MISSING}\n");

        Assert.That(error.Message, Does.Contain("hooks.after_deploy[0] uses ${MISSING}, which is not set"));
    }

    [Test]
    public void Retain_is_read()
    {
        Assert.That(Load(Base + "retain: 7\n").Retain, Is.EqualTo(7));
    }

    [TestCase("", Rollout.Serial)]
    [TestCase("rollout: parallel\n", Rollout.Parallel)]
    [TestCase("rollout: Atomic\n", Rollout.Atomic)]
    public void Rollout_is_read_and_serial_by_default(string yaml, Rollout expected)
    {
        Assert.That(Load(Base + yaml).Rollout, Is.EqualTo(expected));
    }

    [Test]
    public void Verify_is_a_window_or_its_keys()
    {
        Assert.That(Load(Base + "verify: 45s\n").Verify, Is.EqualTo(new VerifyConfig(TimeSpan.FromSeconds(45), 0.01, 20)));
        Assert.That(Load(Base + "verify:\n  window: 2m\n  max_error_rate: 2.5%\n  min_requests: 100\n").Verify,
            Is.EqualTo(new VerifyConfig(TimeSpan.FromMinutes(2), 0.025, 100)));
        Assert.That(Load(Base + "verify:\n  window: 1m\n  max_error_rate: 0.1\n").Verify!.MaxErrorRate, Is.EqualTo(0.1));
        Assert.That(Load(Base).Verify, Is.Null);
    }

    [Test]
    public void Service_volumes_are_kept_as_written()
    {
        var config = Load(Base + """
            services:
              web:
                volumes:
                  - uploads:/app/uploads
                  - /srv/static:/app/static:ro
                  - /srv/cache:/cache:rw
            """);

        Assert.That(config.Services[0].Volumes, Is.EqualTo(new[] { "uploads:/app/uploads", "/srv/static:/app/static:ro", "/srv/cache:/cache:rw" }));
    }

    [TestCase("512m", 512L * 1024 * 1024)]
    [TestCase("2g", 2L * 1024 * 1024 * 1024)]
    [TestCase("2G", 2L * 1024 * 1024 * 1024)]
    [TestCase("1.5g", 1536L * 1024 * 1024)]
    [TestCase("256mb", 256L * 1024 * 1024)]
    [TestCase("64k", 64L * 1024)]
    [TestCase("1048576", 1048576L)]
    public void Memory_sizes_are_read_as_bytes(string memory, long bytes)
    {
        var config = Load(Base + $"services:\n  web:\n    options:\n      memory: {memory}\n");

        Assert.That(config.Services[0].Options.MemoryBytes, Is.EqualTo(bytes));
    }

    [TestCase("0.5", 0.5)]
    [TestCase("2", 2.0)]
    [TestCase("1.25", 1.25)]
    public void Cpus_are_read(string cpus, double expected)
    {
        var config = Load(Base + $"services:\n  web:\n    options:\n      cpus: {cpus}\n");

        Assert.That(config.Services[0].Options.Cpus, Is.EqualTo(expected));
    }

    [TestCase("no")]
    [TestCase("always")]
    [TestCase("unless-stopped")]
    [TestCase("on-failure")]
    [TestCase("on-failure:5")]
    public void Restart_policies_are_read(string policy)
    {
        var config = Load(Base + $"services:\n  web:\n    options:\n      restart: \"{policy}\"\n");

        Assert.That(config.Services[0].Options.Restart, Is.EqualTo(policy));
    }

    [Test]
    public void A_service_without_options_has_none()
    {
        Assert.That(Load(Base).Services[0].Options, Is.SameAs(ContainerOptionsConfig.None));
    }

    [Test]
    public void Registry_login_is_read_with_the_password_from_env()
    {
        var config = Load(Base + "registry:\n  server: registry.example.com:5000\n  username: deployer\n  password: ${REGISTRY_PASSWORD}\n",
            dotEnv: "REGISTRY_PASSWORD=s3cret\n");

        Assert.That(config.Registry, Is.EqualTo(new RegistryConfig("registry.example.com:5000", "deployer", "s3cret")));
        Assert.That(config.Registry!.ToString(), Is.EqualTo("deployer@registry.example.com:5000"), "its text form never holds the password");
    }

    [Test]
    public void A_registry_without_a_login_is_anonymous_and_no_registry_is_the_default()
    {
        Assert.That(Load(Base + "registry: { server: ghcr.io }\n").Registry, Is.EqualTo(new RegistryConfig("ghcr.io", null, null)));
        Assert.That(Load(Base).Registry, Is.Null);
    }

    [TestCase("host: 10.0.0.3", "10.0.0.3")]
    [TestCase("role: worker", "10.0.0.3")]
    [TestCase("labels: [db, ssd]", "10.0.0.4")]
    [TestCase("labels: db", "10.0.0.3")]
    public void A_dependency_is_placed_by_host_role_or_labels(string placement, string expected)
    {
        var config = Load($"""
            service: myapp
            image: myapp
            servers:
              web:
                - host: 10.0.0.1
                  labels: [primary]
              worker:
                - host: 10.0.0.3
                  labels: [db]
                - host: 10.0.0.4
                  labels: [db, ssd]
            services:
              web:
              worker:
                healthcheck: false
            dependencies:
              postgres:
                image: postgres:16
                {placement}
              redis:
                image: redis:7
            """);

        Assert.That(config.HostOf(config.Dependencies[0]).Host, Is.EqualTo(expected));
        Assert.That(config.HostOf(config.Dependencies[1]).Host, Is.EqualTo("10.0.0.1"), "unplaced: the primary");
        Assert.That(config.DependenciesOn(config.Servers.Single(s => s.Host == expected)).Select(d => d.Name), Is.EqualTo(new[] { "postgres" }));
    }

    [Test]
    public void Proxy_limits_default_to_what_a_typical_web_app_needs()
    {
        var proxy = Load(Base).Proxy;

        Assert.That(proxy.MaxBodyBytes, Is.EqualTo(100L << 20));
        Assert.That(proxy.ReadTimeout, Is.EqualTo(TimeSpan.FromSeconds(120)));
        Assert.That(proxy.SendTimeout, Is.EqualTo(TimeSpan.FromSeconds(120)));
        Assert.That(proxy.TrustedProxies, Is.Empty);
    }

    [TestCase("1g", 1L << 30)]
    [TestCase("512k", 512L << 10)]
    [TestCase("0", 0L)]
    [TestCase("unlimited", 0L)]
    public void Proxy_body_size_is_a_size_or_lifted(string text, long expected)
    {
        Assert.That(Load(Base + $"proxy:\n  max_body_size: {text}\n").Proxy.MaxBodyBytes, Is.EqualTo(expected));
    }

    [Test]
    public void Proxy_timeouts_and_trusted_proxies_are_read()
    {
        var proxy = Load(Base + "proxy:\n  read_timeout: 10m\n  send_timeout: 30s\n  trusted_proxies: [10.0.0.0/8, 192.168.1.5, \"2001:db8::/32\"]\n").Proxy;

        Assert.That((proxy.ReadTimeout, proxy.SendTimeout), Is.EqualTo((TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30))));
        Assert.That(proxy.TrustedProxies, Is.EqualTo(new[] { "10.0.0.0/8", "192.168.1.5", "2001:db8::/32" }));
    }

    [Test]
    public void Domain_may_be_a_list_whose_first_is_the_main_name()
    {
        var config = Load(Base + "domain: [Shop.Example.com, www.shop.example.com]\n");

        Assert.That(config.Domains, Is.EqualTo(new[] { "shop.example.com", "www.shop.example.com" }));
        Assert.That(config.Domain, Is.EqualTo("shop.example.com"));
    }

    [Test]
    public void Release_as_a_command_runs_with_the_routed_services_settings_for_ten_minutes_at_most()
    {
        var release = Load(Base + "release: python manage.py migrate --noinput\n").Release!;

        Assert.That(release.Command, Is.EqualTo(new[] { "python", "manage.py", "migrate", "--noinput" }));
        Assert.That(release.Service, Is.EqualTo("web"));
        Assert.That(release.Timeout, Is.EqualTo(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public void Release_as_a_mapping_names_its_service_and_timeout()
    {
        var release = Load(Base + "services:\n  web:\n  api:\nrelease:\n  command: [bin/rails, db:migrate]\n  service: api\n  timeout: 30m\n").Release!;

        Assert.That((release.Service, release.Timeout), Is.EqualTo(("api", TimeSpan.FromMinutes(30))));
        Assert.That(release.Command, Is.EqualTo(new[] { "bin/rails", "db:migrate" }));
    }

    [Test]
    public void Release_must_run_with_a_service_of_the_primary()
    {
        var error = LoadFails("""
            service: myapp
            image: myapp
            servers:
              web:
                - host: 10.0.0.1
              worker:
                - host: 10.0.0.2
            services:
              web:
              worker:
                healthcheck: false
            release:
              command: migrate
              service: worker
            """);

        Assert.That(error.Message, Does.Contain("release.service runs with the worker service's settings on the primary (10.0.0.1), but worker does not run there"));
    }

    [Test]
    public void Without_release_there_is_none()
    {
        Assert.That(Load(Base).Release, Is.Null);
    }

    private static TestCaseData Case(string name, string yaml, string expected) =>
        new TestCaseData(yaml, expected).SetArgDisplayNames(name);

    internal static IEnumerable<TestCaseData> MalformedConfigs()
    {
        yield return Case("typo in a top-level key", Base + "servcies:\n  web: {}\n",
            "podlift.yml:5: servcies is not a known key; did you mean \"services\"?");
        yield return Case("unknown top-level key without a near match", Base + "kubernetes: yes\n",
            "podlift.yml:5: kubernetes is not a known key (known: service, image,");
        yield return Case("port out of range", Base + "services:\n  web:\n    port: 70000\n",
            "podlift.yml:7: services.web.port must be between 1-65535 (got: 70000)");
        yield return Case("port not a number", Base + "services:\n  web:\n    port: eighty\n",
            "podlift.yml:7: services.web.port must be a whole number (got: eighty)");
        yield return Case("replicas 0", Base + "services:\n  web:\n    replicas: 0\n",
            "podlift.yml:7: services.web.replicas must be between 1-100 (got: 0)");
        yield return Case("bad duration", Base + "services:\n  web:\n    healthcheck:\n      timeout: soon\n",
            "podlift.yml:8: services.web.healthcheck.timeout must be a duration such as 30s, 500ms or 5m (got: soon)");
        yield return Case("duration out of range", Base + "drain: 11m\n",
            "podlift.yml:5: drain must be between 0ms and 10m00s (got: 11m)");
        yield return Case("interval too short", Base + "services:\n  web:\n    healthcheck:\n      interval: 50ms\n",
            "services.web.healthcheck.interval must be between 100ms and 10m00s (got: 50ms)");
        yield return Case("missing service", "image: myapp\nservers: [10.0.0.1]\n",
            "podlift.yml:1: service is required");
        yield return Case("missing image", "service: myapp\nservers: [10.0.0.1]\n",
            "image is required");
        yield return Case("missing servers", "service: myapp\nimage: myapp\n",
            "servers is required");
        yield return Case("app name with capitals", "service: MyApp\nimage: myapp\nservers: [10.0.0.1]\n",
            "podlift.yml:1: service must be lowercase letters, digits and dashes, starting with a letter, at most 63 characters (got: MyApp)");
        yield return Case("image with a tag", "service: myapp\nimage: myapp:latest\nservers: [10.0.0.1]\n",
            "podlift.yml:2: image must be an image name without a tag");
        yield return Case("no servers", "service: myapp\nimage: myapp\nservers: []\n",
            "podlift.yml:3: servers must list at least one server");
        yield return Case("servers as one string", "service: myapp\nimage: myapp\nservers: 10.0.0.1\n",
            "servers must be a list of servers, or servers grouped by role");
        yield return Case("host with a space", "service: myapp\nimage: myapp\nservers:\n  - \"10.0.0.1 10.0.0.2\"\n",
            "podlift.yml:4: servers[0] must be a host name or IP address (got: \"10.0.0.1 10.0.0.2\")");
        yield return Case("host that looks like an option", "service: myapp\nimage: myapp\nservers:\n  - host: -oProxyCommand=x\n",
            "servers[0].host must be a host name or IP address");
        yield return Case("typo in a server key", "service: myapp\nimage: myapp\nservers:\n  - hots: 10.0.0.1\n",
            "podlift.yml:4: servers[0].hots is not a known key; did you mean \"host\"?");
        yield return Case("server port out of range", "service: myapp\nimage: myapp\nservers:\n  - host: 10.0.0.1\n    port: 0\n",
            "podlift.yml:5: servers[0].port must be between 1-65535 (got: 0)");
        yield return Case("invalid role name", "service: myapp\nimage: myapp\nservers:\n  Web:\n    - 10.0.0.1\n",
            "servers.Web is not a valid role name");
        yield return Case("service without a server role", "service: myapp\nimage: myapp\nservers:\n  web:\n    - 10.0.0.1\nservices:\n  web:\n  worker:\n",
            "services names worker, but no server has that role");
        yield return Case("no services", Base + "services: {}\n",
            "services must name at least one service");
        yield return Case("invalid service name", Base + "services:\n  Web_1:\n",
            "services.Web_1 is not a valid service name");
        yield return Case("typo in a service key", Base + "services:\n  web:\n    replica: 2\n",
            "podlift.yml:7: services.web.replica is not a known key; did you mean \"replicas\"?");
        yield return Case("healthcheck neither bool nor mapping", Base + "services:\n  web:\n    healthcheck: sometimes\n",
            "services.web.healthcheck must be true or false (got: sometimes)");
        yield return Case("healthcheck path without slash", Base + "services:\n  web:\n    healthcheck:\n      path: health\n",
            "podlift.yml:8: services.web.healthcheck.path must start with / (got: health)");
        yield return Case("expected status out of range", Base + "services:\n  web:\n    healthcheck:\n      expect: [200, 99]\n",
            "services.web.healthcheck.expect[1] must be between 100-599 (got: 99)");
        yield return Case("retries 0", Base + "services:\n  web:\n    healthcheck:\n      retries: 0\n",
            "services.web.healthcheck.retries must be between 1-100 (got: 0)");
        yield return Case("unclosed quote in command", Base + "services:\n  web:\n    command: sh -c \"echo hi\n",
            "services.web.command unclosed \" quote");
        yield return Case("invalid env name", Base + "services:\n  web:\n    env:\n      1BAD: x\n",
            "services.web.env.1BAD is not a valid environment variable name");
        yield return Case("env as a list", Base + "services:\n  web:\n    env: [A=1]\n",
            "services.web.env must be a mapping (key: value lines), got a list");
        yield return Case("unclosed variable", Base + "domain: ${DOMAIN\n",
            "domain: \"${\" without a closing \"}\"");
        yield return Case("invalid variable name", Base + "domain: ${1X}\n",
            "domain: \"${1X}\" is not a valid variable reference");
        yield return Case("registry server with a scheme", Base + "registry:\n  server: https://ghcr.io\n",
            "podlift.yml:6: registry.server must be a registry host, with its port unless it is 443, such as ghcr.io or registry.example.com:5000 (got: https://ghcr.io)");
        yield return Case("registry without a server", Base + "registry:\n  username: me\n  password: x\n",
            "podlift.yml:6: registry.server is required");
        yield return Case("registry username without a password", Base + "registry:\n  server: ghcr.io\n  username: me\n",
            "registry has a username but no password");
        yield return Case("registry empty password", Base + "registry:\n  server: ghcr.io\n  username: me\n  password: \"\"\n",
            "podlift.yml:8: registry.password is empty");
        yield return Case("registry key misspelt", Base + "registry:\n  server: ghcr.io\n  usernme: me\n",
            "registry.usernme is not a known key; did you mean \"username\"?");
        yield return Case("registry as a string", Base + "registry: ghcr.io\n",
            "registry must be a mapping");
        yield return Case("dependency without an image", Base + "dependencies:\n  postgres:\n    port: 5432\n",
            "podlift.yml:7: dependencies.postgres.image is required");
        yield return Case("dependency on a host that is not a server", Base + "dependencies:\n  postgres:\n    image: postgres:16\n    host: 10.0.0.9\n",
            "podlift.yml:8: dependencies.postgres.host names 10.0.0.9, which is not one of the servers (10.0.0.1)");
        yield return Case("dependency on a role no server has", Base + "dependencies:\n  postgres:\n    image: postgres:16\n    role: db\n",
            "dependencies.postgres.role names the role db, which no server has");
        yield return Case("dependency on labels no server has", Base + "dependencies:\n  postgres:\n    image: postgres:16\n    labels: [db]\n",
            "dependencies.postgres.labels [db]: no server has those labels");
        yield return Case("dependency placed twice", Base + "dependencies:\n  postgres:\n    image: postgres:16\n    host: 10.0.0.1\n    role: web\n",
            "dependencies.postgres.role places the dependency a second way (it has host and role)");
        yield return Case("dependency port out of range", Base + "dependencies:\n  redis:\n    image: redis:7\n    port: 0\n",
            "dependencies.redis.port must be between 1-65535 (got: 0)");
        yield return Case("unknown hook", Base + "hooks:\n  after_deplyo: ./migrate\n",
            "hooks.after_deplyo is not a known key; did you mean \"after_deploy\"?");
        yield return Case("volume without a container path", Base + "services:\n  web:\n    volumes: [data]\n",
            "services.web.volumes[0] must be name:/container/path or /host/path:/container/path");
        yield return Case("bad memory size", Base + "services:\n  web:\n    options: { memory: lots }\n",
            "services.web.options.memory must be a size such as 512m or 2g (got: lots)");
        yield return Case("bad restart policy", Base + "services:\n  web:\n    options: { restart: sometimes }\n",
            "services.web.options.restart must be no, always, unless-stopped or on-failure[:N] (got: sometimes)");
        yield return Case("bad cpus", Base + "services:\n  web:\n    options: { cpus: -1 }\n",
            "services.web.options.cpus must be a number of CPUs");
        yield return Case("verify error rate not a share", Base + "verify:\n  window: 1m\n  max_error_rate: lots\n",
            "verify.max_error_rate must be a share such as 1% or 0.01 (got: lots)");
        yield return Case("verify error rate above all", Base + "verify:\n  window: 1m\n  max_error_rate: 150%\n",
            "verify.max_error_rate must be between 0% and 100% (got: 150%)");
        yield return Case("verify without a window", Base + "verify:\n  min_requests: 5\n",
            "verify.window");
        yield return Case("rollout misspelt", Base + "rollout: atomik\n",
            "rollout must be one of serial, parallel, atomic (got: atomik)");
        yield return Case("retain out of range", Base + "retain: 0\n",
            "retain must be between 1-50 (got: 0)");
        yield return Case("ssl true is not a mode", Base + "proxy:\n  ssl: true\n",
            "podlift.yml:6: proxy.ssl must be false, letsencrypt or manual (got: true)");
        yield return Case("ssl letsencrypt without a domain", Base + "proxy:\n  ssl: letsencrypt\n",
            "podlift.yml:6: proxy.ssl needs `domain:`");
        yield return Case("ssl mode misspelt", Base + "domain: shop.example.com\nproxy:\n  ssl: letsencrpyt\n",
            "podlift.yml:7: proxy.ssl must be false, letsencrypt or manual (got: letsencrpyt)");
        yield return Case("manual ssl without a domain", Base + "proxy:\n  ssl: manual\n",
            "proxy.ssl needs `domain:`");
        yield return Case("manual ssl without files", Base + "domain: shop.example.com\nproxy:\n  ssl: manual\n",
            "podlift.yml:7: proxy.ssl is manual, so podlift needs your certificate and key");
        yield return Case("acme server over http", Base + "domain: shop.example.com\nproxy:\n  ssl: letsencrypt\n  acme_server: http://pebble:14000/dir\n",
            "podlift.yml:8: proxy.acme_server must be the https:// URL of an ACME directory (got: http://pebble:14000/dir)");
        yield return Case("acme server not a url", Base + "domain: shop.example.com\nproxy:\n  ssl: letsencrypt\n  acme_server: pebble\n",
            "proxy.acme_server must be the https:// URL of an ACME directory (got: pebble)");
        yield return Case("acme server with a quote", Base + "domain: shop.example.com\nproxy:\n  ssl: letsencrypt\n  acme_server: \"https://pebble/dir'x\"\n",
            "proxy.acme_server must be the https:// URL");
        yield return Case("bad ssl email", Base + "domain: shop.example.com\nproxy:\n  ssl: letsencrypt\n  ssl_email: ops-at-example.com\n",
            "podlift.yml:8: proxy.ssl_email must be an email address (got: ops-at-example.com)");
        yield return Case("ssl email with a quote", Base + "domain: shop.example.com\nproxy:\n  ssl: letsencrypt\n  ssl_email: o'brien@example.com\n",
            "proxy.ssl_email must be an email address");
        yield return Case("ssl email with a space", Base + "domain: shop.example.com\nproxy:\n  ssl: letsencrypt\n  ssl_email: \"ops @example.com\"\n",
            "proxy.ssl_email must be an email address");
        yield return Case("domain with a space", Base + "domain: shop example.com\n",
            "podlift.yml:5: domain must be a host name such as myapp.example.com, or a list of them (got: shop example.com)");
        yield return Case("a domain of the list with a space", Base + "domain: [shop.example.com, \"www shop\"]\n",
            "podlift.yml:5: domain must be a host name such as myapp.example.com, or a list of them (got: www shop)");
        yield return Case("a domain twice", Base + "domain: [shop.example.com, Shop.Example.com]\n",
            "podlift.yml:5: domain names shop.example.com twice");
        yield return Case("body size not a size", Base + "proxy:\n  max_body_size: lots\n",
            "podlift.yml:6: proxy.max_body_size must be a size such as 512m or 2g (got: lots)");
        yield return Case("read timeout too short", Base + "proxy:\n  read_timeout: 100ms\n",
            "podlift.yml:6: proxy.read_timeout must be between 1s and 24h");
        yield return Case("trusted proxy not an address", Base + "proxy:\n  trusted_proxies: [10.0.0.0/8, cdn.example.com]\n",
            "podlift.yml:6: proxy.trusted_proxies[1] must be an IP address or a CIDR range such as 10.0.0.0/8 (got: cdn.example.com)");
        yield return Case("trusted proxies not a list", Base + "proxy:\n  trusted_proxies: 10.0.0.0/8\n",
            "proxy.trusted_proxies must be a list");
        yield return Case("release empty", Base + "release: \"\"\n",
            "podlift.yml:5: release is empty");
        yield return Case("release for an unknown service", Base + "release:\n  command: migrate\n  service: api\n",
            "podlift.yml:7: release.service names api, which is not one of the services (web)");
        yield return Case("release with a typo", Base + "release:\n  comand: migrate\n",
            "release.comand is not a known key; did you mean \"command\"?");
        yield return Case("dependency named like a live replica", Base + "dependencies:\n  web-1:\n    image: redis:7\n",
            "dependencies web-1: a dependency's container would take the name of a web container");
        yield return Case("domain with a quote", Base + "domain: \"shop'.example.com\"\n",
            "domain must be a host name");
        yield return Case("domain starting with a dash", Base + "domain: -shop.example.com\n",
            "domain must be a host name");
        yield return Case("domain with a scheme", Base + "domain: https://shop.example.com\n",
            "domain must be a host name");
        yield return Case("ssl certificate file missing", Base + "domain: shop.example.com\nproxy:\n  ssl: manual\n  ssl_certificate: missing.pem\n",
            "podlift.yml:8: proxy.ssl_certificate names ");
        yield return Case("typo in a proxy key", Base + "proxy:\n  ssl_emial: ops@example.com\n",
            "proxy.ssl_emial is not a known key; did you mean \"ssl_email\"?");
        yield return Case("volume with a bad mode", Base + "services:\n  web:\n    volumes: [\"data:/data:rx\"]\n",
            "services.web.volumes[0] must be name:/container/path");
        yield return Case("volume climbing out of its host path", Base + "services:\n  web:\n    volumes: [\"/srv/app/../../etc:/data\"]\n",
            "services.web.volumes[0] must be name:/container/path or /host/path:/container/path, optionally ending in :ro or :rw (absolute paths without .. segments)");
        yield return Case("volume climbing out of its container path", Base + "services:\n  web:\n    volumes: [\"data:/data/../etc\"]\n",
            "services.web.volumes[0] must be name:/container/path");
        yield return Case("dependency image with a space", Base + "dependencies:\n  redis:\n    image: \"redis 7\"\n",
            "podlift.yml:7: dependencies.redis.image must be an image reference such as postgres:16 or ghcr.io/me/db:1.2 (got: redis 7)");
        yield return Case("app name longer than a DNS label", "service: " + new string('a', 64) + "\nimage: myapp\nservers: [10.0.0.1]\n",
            "service must be lowercase letters, digits and dashes, starting with a letter, at most 63 characters");
        yield return Case("volume with a relative container path", Base + "services:\n  web:\n    volumes: [\"data:data\"]\n",
            "services.web.volumes[0] must be name:/container/path");
        yield return Case("cpus zero", Base + "services:\n  web:\n    options: { cpus: 0 }\n",
            "services.web.options.cpus must be a number of CPUs such as 0.5 or 2 (got: 0)");
        yield return Case("on-failure with an empty count", Base + "services:\n  web:\n    options: { restart: \"on-failure:\" }\n",
            "services.web.options.restart must be no, always, unless-stopped or on-failure[:N] (got: on-failure:)");
        yield return Case("dependency option typo", Base + "dependencies:\n  redis:\n    image: redis:7\n    options: { memroy: 1g }\n",
            "dependencies.redis.options.memroy is not a known key; did you mean \"memory\"?");
        yield return Case("retain above the limit", Base + "retain: 51\n",
            "retain must be between 1-50 (got: 51)");
        yield return Case("proxy enabled not a bool", Base + "proxy:\n  enabled: perhaps\n",
            "proxy.enabled must be true or false (got: perhaps)");
        yield return Case("typo in a git key", Base + "git:\n  branhc: main\n",
            "git.branhc is not a known key; did you mean \"branch\"?");
        yield return Case("empty file", "",
            "podlift.yml is empty or is not a mapping of keys");
        yield return Case("top level is a list", "- service: myapp\n",
            "podlift.yml is empty or is not a mapping of keys");
        yield return Case("duration overflowing TimeSpan", Base + "services:\n  web:\n    healthcheck:\n      timeout: 1e300\n",
            "services.web.healthcheck.timeout must be a duration");
        yield return Case("env_file as a list", Base + "env_file: [a.env, b.env]\n",
            "podlift.yml:5: env_file must be");
        yield return Case("default web service without a web role", "service: myapp\nimage: myapp\nservers:\n  api:\n    - 10.0.0.1\n",
            "no server has the role web");
    }

    [TestCaseSource(nameof(MalformedConfigs))]
    public void Malformed_config_is_refused_with_the_key_path(string yaml, string expected)
    {
        var error = LoadFails(yaml);

        Assert.That(error.Message, Does.Contain(expected));
    }
}

using Google.Protobuf;
using Podlift.Agent.Rpc.Validation;
using Podlift.Cli.Configuration;
using Podlift.Cli.Planning;
using Podlift.Cli.Registry;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>The agent's own checks of every request: a caller on the socket gets no further than the CLI's config would let it.</summary>
public class RequestValidatorTests
{
    private const string Chain = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static DeployPlan Plan(Action<DeployPlan>? change = null)
    {
        var plan = new DeployPlan
        {
            App = "myapp", Version = "abc1234", Image = "ghcr.io/me/myapp:abc1234", DeployedBy = "alice", CommitMessage = "Fix the login page",
            Source = "git@github.com:me/myapp.git", DrainMilliseconds = 30_000, VersionsKept = 3,
            Proxy = new ProxyPlan
            {
                Enabled = true, Domain = "shop.example.com",
                Tls = new TlsPlan
                {
                    CertificatePath = "/etc/letsencrypt/live/shop.example.com/fullchain.pem", KeyPath = "/etc/letsencrypt/live/shop.example.com/privkey.pem",
                },
            },
            Hooks = new HooksPlan { BeforeDeploy = { "./migrate --db \"$DATABASE_URL\"" }, Environment = { ["DATABASE_URL"] = "postgres://u:secret@db/app" } },
            Network = new NetworkPlan { PrimaryAddress = "10.0.0.1", AdvertisedAddress = "10.0.0.2", Peers = { "10.0.0.1" }, DependencyHosts = { ["postgres"] = "10.0.0.1" } },
        };
        plan.Services.Add(new ServicePlan
        {
            Name = "web", Replicas = 2, ContainerPort = 8000, Routed = true, Command = { "gunicorn", "app:app" },
            Env = { ["MODE"] = "production" }, Volumes = { "uploads:/app/uploads", "/srv/static:/app/static:ro" },
            Healthcheck = new HealthCheckPlan { Path = "/up", Expect = { 200 }, TimeoutMilliseconds = 30_000, IntervalMilliseconds = 500, Retries = 3 },
            Options = new ContainerOptions { MemoryBytes = 512 << 20, Cpus = 0.5, Restart = "on-failure:3" },
        });
        plan.Dependencies.Add(new DependencyPlan { Name = "postgres", Image = "postgres:16", Port = 5432, Volume = "pg-data:/var/lib/postgresql/data", Env = { ["POSTGRES_PASSWORD"] = "secret" } });
        change?.Invoke(plan);
        return plan;
    }

    private static T With<T>(T message, Action<T> change) where T : IMessage
    {
        change(message);
        return message;
    }

    private static SetUpstreamRequest Upstream(Action<SetUpstreamRequest>? change = null) => With(new SetUpstreamRequest
    {
        App = "myapp", Server = "10.0.0.2", Service = "web", DrainMilliseconds = 30_000, Domain = "shop.example.com",
        Backends = { new Backend { Address = "10.0.0.2", Port = 20001, Name = "myapp-web-abc1234-1" } },
    }, change ?? (_ => { }));

    private static TestCaseData Refused(string name, Func<object> request, string expected) =>
        new TestCaseData(request, expected).SetArgDisplayNames(name);

    internal static IEnumerable<TestCaseData> Attacks()
    {
        // where an app's files live, its nginx site, its containers and network
        yield return Refused("app climbing out of /var/lib/podlift", () => Plan(p => p.App = "../etc"),
            $"app must be {Names.NameRule} (got: \"../etc\")");
        yield return Refused("app with a semicolon", () => Plan(p => p.App = "a;b"), "app must be");
        yield return Refused("app closing an nginx block", () => Plan(p => p.App = "x\n}"), "app must be lowercase letters, digits and dashes, starting with a letter, at most 63 characters (got: \"x\\n}\")");
        yield return Refused("app empty", () => Plan(p => p.App = ""), "app must be");
        yield return Refused("version as a path", () => Plan(p => p.Version = "../../etc/passwd"), "version must be a version");
        yield return Refused("version with a slash", () => Plan(p => p.Version = "a/b"), "version must be a version");
        yield return Refused("version with a line break", () => Plan(p => p.Version = "a\nb"), "version must be a version");
        yield return Refused("image with a shell command", () => Plan(p => p.Image = "myapp:abc;rm -rf /"), "image must be an image reference");
        yield return Refused("image as a Docker option", () => Plan(p => p.Image = "--privileged"), "image must be an image reference");
        yield return Refused("deployed_by forging a log line", () => Plan(p => p.DeployedBy = "alice\nERROR forged"), "deployed_by must be one line");
        yield return Refused("commit message with a NUL", () => Plan(p => p.CommitMessage = "a\0b"), "commit_message must not contain a NUL character");
        yield return Refused("source with a line break", () => Plan(p => p.Source = "a\nb"), "source must be one line");
        yield return Refused("drain beyond 10 minutes", () => Plan(p => p.DrainMilliseconds = 600_001), "drain_milliseconds must be between 0 and 600000 (got: 600001)");
        yield return Refused("drain negative", () => Plan(p => p.DrainMilliseconds = -1), "drain_milliseconds must be between 0 and 600000");
        yield return Refused("versions kept beyond 50", () => Plan(p => p.VersionsKept = 51), "versions_kept must be between 0 and 50");
        // services
        yield return Refused("service name with a path", () => Plan(p => p.Services[0].Name = "web/../x"), "services[0].name must be");
        yield return Refused("replicas beyond 100", () => Plan(p => p.Services[0].Replicas = 101), "services[0].replicas must be between 0 and 100 (got: 101)");
        yield return Refused("replicas negative", () => Plan(p => p.Services[0].Replicas = -1), "services[0].replicas must be between");
        yield return Refused("container port out of range", () => Plan(p => p.Services[0].ContainerPort = 70000), "services[0].container_port must be between 0 and 65535");
        yield return Refused("env name with a space", () => Plan(p => p.Services[0].Env["A B"] = "x"), "services[0].env[\"A B\"] must be named with letters");
        yield return Refused("env name with an equals sign", () => Plan(p => p.Services[0].Env["A=B"] = "x"), "services[0].env[\"A=B\"] must be named");
        yield return Refused("env value with a NUL", () => Plan(p => p.Services[0].Env["MODE"] = "a\0b"), "services[0].env[MODE] must not contain a NUL character");
        yield return Refused("command argument with a NUL", () => Plan(p => p.Services[0].Command.Add("a\0b")), "services[0].command[2] must not contain a NUL character");
        yield return Refused("volume from a relative host path", () => Plan(p => p.Services[0].Volumes.Add("../etc:/x")), $"services[0].volumes[2] must be {Names.VolumeRule} (got: \"../etc:/x\")");
        yield return Refused("volume climbing out of its host path", () => Plan(p => p.Services[0].Volumes.Add("/srv/../etc:/data")), "services[0].volumes[2] must be");
        yield return Refused("volume climbing out of its container path", () => Plan(p => p.Services[0].Volumes.Add("data:/data/../etc")), "services[0].volumes[2] must be");
        yield return Refused("volume with a relative container path", () => Plan(p => p.Services[0].Volumes.Add("data:rel")), "services[0].volumes[2] must be");
        yield return Refused("volume with an unknown mode", () => Plan(p => p.Services[0].Volumes.Add("a:/b:rwx")), "services[0].volumes[2] must be");
        yield return Refused("health path without a slash", () => Plan(p => p.Services[0].Healthcheck.Path = "health"), "services[0].healthcheck.path must be a URL path");
        yield return Refused("health path with a header", () => Plan(p => p.Services[0].Healthcheck.Path = "/up\r\nHost: evil"), "services[0].healthcheck.path must be a URL path");
        yield return Refused("expected status below 100", () => Plan(p => p.Services[0].Healthcheck.Expect.Add(99)), "services[0].healthcheck.expect[1] must be between 100 and 599 (got: 99)");
        yield return Refused("health timeout beyond an hour", () => Plan(p => p.Services[0].Healthcheck.TimeoutMilliseconds = 3_600_001), "services[0].healthcheck.timeout_milliseconds must be between");
        yield return Refused("restart policy with a command", () => Plan(p => p.Services[0].Options.Restart = "always; reboot"), "services[0].options.restart must be no, always");
        yield return Refused("cpus beyond 1024", () => Plan(p => p.Services[0].Options.Cpus = 2000), "services[0].options.cpus must be between 0 and 1024 (got: 2000)");
        yield return Refused("memory negative", () => Plan(p => p.Services[0].Options.MemoryBytes = -1), "services[0].options.memory_bytes must be between");
        // dependencies
        yield return Refused("dependency name with a path", () => Plan(p => p.Dependencies[0].Name = "../pg"), "dependencies[0].name must be");
        yield return Refused("dependency image with a space", () => Plan(p => p.Dependencies[0].Image = "postgres 16"), "dependencies[0].image must be an image reference");
        yield return Refused("dependency port out of range", () => Plan(p => p.Dependencies[0].Port = 70000), "dependencies[0].port must be between 0 and 65535");
        yield return Refused("dependency volume climbing out", () => Plan(p => p.Dependencies[0].Volume = "/var/lib/../../etc:/x"), "dependencies[0].volume must be");
        yield return Refused("dependency env name", () => Plan(p => p.Dependencies[0].Env["1X"] = "x"), "dependencies[0].env[\"1X\"] must be named");
        // proxy: nginx's server_name and ssl_certificate lines
        yield return Refused("domain with a directive", () => Plan(p => p.Proxy.Domain = "a.com;return 200"), "proxy.domain must be a host name such as myapp.example.com (got: \"a.com;return 200\")");
        yield return Refused("domain closing the server block", () => Plan(p => p.Proxy.Domain = "x\n}"), "proxy.domain must be a host name");
        yield return Refused("domain with a space", () => Plan(p => p.Proxy.Domain = "a.com b.com"), "proxy.domain must be a host name");
        yield return Refused("domain with a quote", () => Plan(p => p.Proxy.Domain = "\"a.com\""), "proxy.domain must be a host name");
        yield return Refused("domain with a variable", () => Plan(p => p.Proxy.Domain = "$host"), "proxy.domain must be a host name");
        yield return Refused("domain with a brace", () => Plan(p => p.Proxy.Domain = "a{"), "proxy.domain must be a host name");
        yield return Refused("TLS key is /etc/shadow", () => Plan(p => p.Proxy.Tls.KeyPath = "/etc/shadow"),
            "proxy.tls.key_path must be a file in /etc/letsencrypt/live/shop.example.com/ or /etc/podlift/tls/myapp/ (got: \"/etc/shadow\")");
        yield return Refused("TLS certificate of another domain", () => Plan(p => p.Proxy.Tls.CertificatePath = "/etc/letsencrypt/live/other.com/fullchain.pem"), "proxy.tls.certificate_path must be a file in");
        yield return Refused("TLS key climbing out of the app's directory", () => Plan(p => p.Proxy.Tls.KeyPath = "/etc/podlift/tls/myapp/../../shadow"), "proxy.tls.key_path must be a file in");
        yield return Refused("TLS key with a directive", () => Plan(p => p.Proxy.Tls.KeyPath = "/etc/podlift/tls/myapp/k.pem; include /etc/x"), "proxy.tls.key_path must be a file in");
        yield return Refused("TLS key of another app", () => Plan(p => p.Proxy.Tls.KeyPath = "/etc/podlift/tls/other/privkey.pem"), "proxy.tls.key_path must be a file in");
        yield return Refused("TLS key without a certificate", () => Plan(p => p.Proxy.Tls.CertificatePath = ""), "proxy.tls.certificate_path must be a file in");
        // hooks run as root by design: bounded, no NUL
        yield return Refused("hook with a NUL", () => Plan(p => p.Hooks.BeforeDeploy.Add("a\0b")), "hooks.before_deploy[1] must not contain a NUL character");
        yield return Refused("hook beyond 64 KB", () => Plan(p => p.Hooks.AfterDeploy.Add(new string('x', 70_000))), "hooks.after_deploy[0] must be at most 65536 characters (got: 70000)");
        yield return Refused("hook variable name", () => Plan(p => p.Hooks.Environment["A-B"] = "x"), "hooks.environment[\"A-B\"] must be named");
        // network
        yield return Refused("primary address as an option", () => Plan(p => p.Network.PrimaryAddress = "-oProxyCommand=x"), "network.primary_address must be an IP address or a host name");
        yield return Refused("peer with a space", () => Plan(p => p.Network.Peers.Add("a b")), "network.peers[1] must be an IP address or a host name");
        yield return Refused("dependency host name", () => Plan(p => p.Network.DependencyHosts["../x"] = "10.0.0.1"), "network.dependency_hosts must be");
        yield return Refused("dependency host address", () => Plan(p => p.Network.DependencyHosts["redis"] = "a;b"), "network.dependency_hosts[redis] must be an IP address or a host name");

        // rollback, attach, confirm
        yield return Refused("rollback app", () => new RollbackRequest { App = "../x" }, "app must be");
        yield return Refused("rollback target as a path", () => new RollbackRequest { App = "myapp", To = "../../etc" }, "to must be a version");
        yield return Refused("rollback requested_by", () => new RollbackRequest { App = "myapp", RequestedBy = "a\nb" }, "requested_by must be one line");
        yield return Refused("rollback drain", () => new RollbackRequest { App = "myapp", DrainMilliseconds = 10_000_000 }, "drain_milliseconds must be between");
        yield return Refused("rollback hook", () => new RollbackRequest { App = "myapp", Hooks = new HooksPlan { AfterRollback = { "\0" } } }, "hooks.after_rollback[0] must not contain a NUL");
        yield return Refused("attach app", () => new AttachRequest { App = ".." }, "app must be");
        yield return Refused("attach deploy id reading /etc/shadow", () => new AttachRequest { App = "myapp", DeployId = "../../../etc/shadow" },
            "deploy_id must be a deploy id such as 20250601T123000000Z-abc1234 (got: \"../../../etc/shadow\")");
        yield return Refused("attach deploy id with a slash", () => new AttachRequest { App = "myapp", DeployId = "a/b" }, "deploy_id must be a deploy id");
        yield return Refused("confirm deploy id", () => new ConfirmSwitchRequest { App = "myapp", DeployId = "../x" }, "deploy_id must be a deploy id");
        yield return Refused("confirm without a deploy id", () => new ConfirmSwitchRequest { App = "myapp" }, "deploy_id must be a deploy id");

        // another server's backends: nginx's upstream block
        yield return Refused("upstream app", () => Upstream(u => u.App = "a/b"), "app must be");
        yield return Refused("upstream server closing the block", () => Upstream(u => u.Server = "a\n}"), "server must be an IP address or a host name");
        yield return Refused("upstream service", () => Upstream(u => u.Service = "a;b"), "service must be");
        yield return Refused("backend address with a directive", () => Upstream(u => u.Backends[0].Address = "10.0.0.1;include /etc/x"), "backends[0].address must be an IP address or a host name");
        yield return Refused("backend port 0", () => Upstream(u => u.Backends[0].Port = 0), "backends[0].port must be between 1 and 65535 (got: 0)");
        yield return Refused("backend port beyond 65535", () => Upstream(u => u.Backends[0].Port = 65536), "backends[0].port must be between 1 and 65535");
        yield return Refused("backend name ending the comment", () => Upstream(u => u.Backends[0].Name = "web-1\n}\nserver { listen 81; }"),
            "backends[0].name must be one line without control characters (got: \"web-1\\n}\\nserver { listen 81; }\")");
        yield return Refused("upstream drain", () => Upstream(u => u.DrainMilliseconds = -5), "drain_milliseconds must be between");
        yield return Refused("upstream domain", () => Upstream(u => u.Domain = "a b"), "domain must be a host name");
        yield return Refused("apply proxy without settings", () => new ApplyProxyRequest { App = "myapp" }, "proxy must be set");
        yield return Refused("apply proxy with /etc/shadow as the key", () => new ApplyProxyRequest
        {
            App = "myapp", Proxy = new ProxyPlan { Enabled = true, Domain = "shop.example.com", Tls = new TlsPlan { CertificatePath = "/etc/podlift/tls/myapp/fullchain.pem", KeyPath = "/etc/shadow" } },
        }, "proxy.tls.key_path must be a file in");
        yield return Refused("apply proxy app", () => new ApplyProxyRequest { App = "../x", Proxy = new ProxyPlan() }, "app must be");

        // operator calls
        yield return Refused("state of ../etc", () => new StateRequest { App = "../etc" }, "app must be");
        yield return Refused("logs app", () => new LogsRequest { App = "a b", Service = "web" }, "app must be");
        yield return Refused("logs service", () => new LogsRequest { App = "myapp", Service = "../x" }, "service must be");
        yield return Refused("logs tail", () => new LogsRequest { App = "myapp", Service = "web", Tail = -2 }, "tail must be between -1");
        yield return Refused("exec app", () => new ExecInput { Start = new ExecStart { App = "../x", Service = "web", Command = { "sh" } } }, "start.app must be");
        yield return Refused("exec service", () => new ExecInput { Start = new ExecStart { App = "myapp", Service = "a;b", Command = { "sh" } } }, "start.service must be");
        yield return Refused("exec replica", () => new ExecInput { Start = new ExecStart { App = "myapp", Service = "web", Replica = 101, Command = { "sh" } } }, "start.replica must be between 0 and 100");
        yield return Refused("exec argument with a NUL", () => new ExecInput { Start = new ExecStart { App = "myapp", Service = "web", Command = { "sh", "\0" } } }, "start.command[1] must not contain a NUL");
        yield return Refused("exec resize", () => new ExecInput { Resize = new TerminalSize { Width = 100_000, Height = 40 } }, "resize.width must be between 0 and 10000");
        yield return Refused("hello client version", () => new HelloRequest { ClientVersion = "1\n2" }, "client_version must be one line");

        // images
        yield return Refused("image status", () => new ImageStatusRequest { Image = "../x" }, "image must be an image reference");
        yield return Refused("missing layers image", () => new MissingLayersRequest { Image = "a\nb", ChainIds = { Chain } }, "image must be an image reference");
        yield return Refused("missing layers chain id", () => new MissingLayersRequest { Image = "myapp:abc1234", ChainIds = { Chain, "sha256:xyz" } }, "chain_ids[1] must be sha256: and 64 lowercase hex digits");
        yield return Refused("push header image", () => new ImageChunk { Header = new PushHeader { Image = "a b" } }, "header.image must be an image reference");
        yield return Refused("push header size", () => new ImageChunk { Header = new PushHeader { Image = "myapp:abc1234", TotalBytes = -1 } }, "header.total_bytes must be between 0");
        yield return Refused("pull reference", () => new PullImageRequest { Reference = "evil;x", Image = "myapp:abc1234" }, "reference must be an image reference");
        yield return Refused("pull image", () => new PullImageRequest { Reference = "ghcr.io/me/myapp:abc1234", Image = "" }, "image must be an image reference");
        yield return Refused("pull login server", () => new PullImageRequest
        {
            Reference = "ghcr.io/me/myapp:abc1234", Image = "myapp:abc1234", Login = new RegistryLogin { Server = "https://ghcr.io", Username = "me", Password = "p" },
        }, "login.server must be a registry host");
        yield return Refused("pull login user", () => new PullImageRequest
        {
            Reference = "ghcr.io/me/myapp:abc1234", Image = "myapp:abc1234", Login = new RegistryLogin { Server = "ghcr.io", Username = "me\nyou", Password = "p" },
        }, "login.username must be one line");
    }

    [TestCaseSource(nameof(Attacks))]
    public void An_attack_is_refused_naming_the_field_and_the_value(Func<object> request, string expected) =>
        Assert.That(RequestValidator.Problem(request()), Does.Contain(expected));

    [Test]
    public void The_first_broken_rule_is_the_problem() =>
        Assert.That(RequestValidator.Problem(Plan(p => { p.App = "../a"; p.Version = "../b"; })), Does.StartWith("app must be"));

    [Test]
    public void Secrets_are_never_shown_in_a_refusal()
    {
        const string secret = "hunter2-\0-s3cr3t";
        var refusals = new[]
        {
            RequestValidator.Problem(Plan(p => p.Services[0].Env["MODE"] = secret)),
            RequestValidator.Problem(Plan(p => p.Hooks.Environment["DATABASE_URL"] = secret)),
            RequestValidator.Problem(Plan(p => p.Services[0].Command.Add(secret))),
            RequestValidator.Problem(new PullImageRequest
            {
                Reference = "ghcr.io/me/myapp:abc1234", Image = "myapp:abc1234", Login = new RegistryLogin { Server = "ghcr.io", Username = "me", Password = secret },
            }),
        };

        Assert.That(refusals, Has.All.Not.Null.And.All.Not.Contain("hunter2").And.All.Not.Contain("s3cr3t"));
    }

    [Test]
    public void A_long_value_is_shown_cut_short()
    {
        var problem = RequestValidator.Problem(Plan(p => p.App = new string('A', 500)))!;

        Assert.That(problem, Does.Contain(new string('A', 80) + "\"…").And.Not.Contain(new string('A', 81)));
    }

    internal static IEnumerable<TestCaseData> ValidRequests()
    {
        yield return new TestCaseData(Plan()).SetArgDisplayNames("a plan with every part");
        yield return new TestCaseData(Plan(p => { p.Proxy = new ProxyPlan { Enabled = true }; p.Hooks = null; p.Network = null; })).SetArgDisplayNames("default site, no hooks");
        yield return new TestCaseData(Plan(p => p.Proxy.Tls = new TlsPlan())).SetArgDisplayNames("TLS plan without files");
        yield return new TestCaseData(Plan(p => p.Services[0].Healthcheck = new HealthCheckPlan())).SetArgDisplayNames("health check defaults");
        yield return new TestCaseData(Plan(p => p.Services[0].Volumes.Add("/:/host:ro"))).SetArgDisplayNames("a bind mount of the host's root");
        yield return new TestCaseData(Upstream()).SetArgDisplayNames("another server's backends");
        yield return new TestCaseData(new RollbackRequest { App = "myapp" }).SetArgDisplayNames("rollback to the previous version");
        yield return new TestCaseData(new RollbackRequest { App = "myapp", To = "abc1" }).SetArgDisplayNames("rollback to a version prefix");
        yield return new TestCaseData(new AttachRequest { App = "myapp" }).SetArgDisplayNames("attach to the running job");
        yield return new TestCaseData(new AttachRequest { App = "myapp", DeployId = "20250601T123000000Z-abc1234" }).SetArgDisplayNames("attach to a deploy id");
        yield return new TestCaseData(new ConfirmSwitchRequest { App = "myapp", DeployId = "20250601T123000000Z-abc1234", Reason = "10.0.0.1: nginx said\nno" })
            .SetArgDisplayNames("a refused switch with a reason");
        yield return new TestCaseData(new StateRequest()).SetArgDisplayNames("state of every app");
        yield return new TestCaseData(new LogsRequest { App = "myapp", Service = "postgres", Tail = -1, Dependency = true }).SetArgDisplayNames("every log line of a dependency");
        yield return new TestCaseData(new ExecInput { Start = new ExecStart { App = "myapp", Service = "web", Replica = 1, Command = { "sh", "-c", "echo $HOME; ls" }, Tty = true, Size = new TerminalSize { Width = 120, Height = 40 } } })
            .SetArgDisplayNames("exec start");
        yield return new TestCaseData(new ExecInput { Stdin = ByteString.CopyFromUtf8("\0\n}") }).SetArgDisplayNames("exec stdin is the command's business");
        yield return new TestCaseData(new ImageChunk { Data = ByteString.CopyFromUtf8("\0../etc") }).SetArgDisplayNames("image data");
        yield return new TestCaseData(new ImageChunk { Header = new PushHeader { Image = "myapp:abc1234", TotalBytes = 1 << 20, Compression = Compression.Zstd, OmittedLayers = 2 } })
            .SetArgDisplayNames("push header");
        yield return new TestCaseData(new MissingLayersRequest { Image = "myapp:abc1234", ChainIds = { Chain } }).SetArgDisplayNames("missing layers");
        yield return new TestCaseData(new HelloRequest { ProtocolVersion = AgentProtocol.Version, ClientVersion = "0.1.0" }).SetArgDisplayNames("hello");
        yield return new TestCaseData(new PullImageRequest { Reference = RegistryImage.Reference("registry.example.com:5000", "myapp:abc1234"), Image = "myapp:abc1234" })
            .SetArgDisplayNames("anonymous pull");
    }

    [TestCaseSource(nameof(ValidRequests))]
    public void A_valid_request_passes(IMessage request) => Assert.That(RequestValidator.Problem(request), Is.Null);

    [Test]
    public void Every_request_type_of_the_service_has_rules()
    {
        var requestTypes = Podlift.Protocol.Agent.Descriptor.Methods.Select(m => m.InputType.ClrType).Distinct().ToList();

        Assert.That(requestTypes, Has.Count.GreaterThanOrEqualTo(14));
        foreach (var type in requestTypes)
            Assert.DoesNotThrow(() => RequestValidator.Problem(Activator.CreateInstance(type)!), type.Name);
    }

    [Test]
    public void A_message_no_rule_covers_is_not_let_through() =>
        Assert.Throws<ArgumentException>(() => RequestValidator.Problem(new HelloReply()));

    /// <summary>What the CLI sends, built by its own planner from a podlift.yml: the agent must take all of it.</summary>
    [TestCase("letsencrypt")]
    [TestCase("manual")]
    public void The_requests_the_CLI_makes_from_a_full_config_pass(string ssl)
    {
        using var directory = new TempDirectory();
        directory.Write("cert.pem", "certificate");
        directory.Write("key.pem", "key");
        directory.Write(".env", "DB_PASSWORD=s3cret\nREGISTRY_PASSWORD=token\n");
        var config = ConfigLoader.Load(directory.Write("podlift.yml", $$"""
            service: shop
            image: registry.example.com:5000/team/shop
            domain: shop.example.com
            servers:
              web:
                - host: 10.0.0.1
                - host: web-2.internal
              worker:
                - host: 10.0.0.3
            registry:
              server: registry.example.com:5000
              username: deploy
              password: ${REGISTRY_PASSWORD}
            services:
              web:
                port: 3000
                replicas: 3
                command: gunicorn app:app --bind 0.0.0.0:3000
                env: { DATABASE_URL: "postgres://shop:${DB_PASSWORD}@postgres/shop" }
                healthcheck: { path: /up, expect: [200, 204], timeout: 20s, interval: 500ms, retries: 4 }
                volumes: [uploads:/app/uploads, /srv/static:/app/static:ro]
                options: { memory: 512m, cpus: 0.5, restart: on-failure:3 }
              worker:
                command: [./worker, --queue, default]
                healthcheck: false
            dependencies:
              postgres:
                image: postgres:16-alpine
                port: 5432
                volume: pg-data:/var/lib/postgresql/data
                env: { POSTGRES_PASSWORD: "${DB_PASSWORD}" }
                role: worker
              redis:
                image: redis:7
                command: redis-server --appendonly yes
            hooks:
              before_deploy: ./migrate --url "${DB_PASSWORD}"
              after_deploy: [curl -fsS https://hooks.example.com/deployed]
            proxy:
              ssl: {{ssl}}
              ssl_email: ops@example.com
              ssl_certificate: cert.pem
              ssl_certificate_key: key.pem
            drain: 45s
            retain: 5
            """), new Dictionary<string, string>());
        var release = new Release("abc1234", Release.ImageTag(config.Image, "abc1234"), "Alice Example", "Fix the login page", "git@github.com:me/shop.git");

        var requests = new List<IMessage>();
        foreach (var server in config.Servers)
            requests.Add(DeployPlanner.For(config, server, config.Servers.ToDictionary(s => s, s => s.Host), release, skipHealthcheck: false));
        requests.Add(new ApplyProxyRequest { App = config.App, Proxy = DeployPlanner.ProxyFor(config, config.Primary) });
        requests.Add(new RollbackRequest { App = config.App, To = "def5678", RequestedBy = "Alice Example", DrainMilliseconds = (long)config.Drain.TotalMilliseconds, Hooks = DeployPlanner.HooksFor(config.Hooks) });
        requests.Add(new SetUpstreamRequest
        {
            App = config.App, Server = config.Servers[1].Host, Service = "web", DrainMilliseconds = (long)config.Drain.TotalMilliseconds, Domain = config.Domain!,
            Backends = { new Backend { Address = config.Servers[1].Host, Port = 20001, Name = "shop-web-abc1234-1" } },
        });
        requests.Add(new PullImageRequest
        {
            Reference = RegistryImage.Reference(config.Registry!.Server, release.Image), Image = release.Image,
            Login = new RegistryLogin { Server = config.Registry.Server, Username = config.Registry.Username!, Password = config.Registry.Password! },
        });

        Assert.That(((DeployPlan)requests[0]).Proxy.Tls, Is.Not.Null, "the primary's plan carries TLS");
        var problems = requests.Select(r => RequestValidator.Problem(r) is { } problem ? $"{r.Descriptor.Name}: {problem}" : null).OfType<string>();
        Assert.That(problems, Is.Empty);
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// Registry mode against a real registry (Debian's docker-registry, TLS and an htpasswd login) on two real
/// servers: the image is pushed once and each server pulls it; a parallel redeploy under load pulls only the
/// changed layers and drops nothing; a refused login stops the deploy before anything is built or changed. The
/// password is given the way a user would (REGISTRY_PASSWORD, named in podlift.yml) and is looked for in
/// the output, the agents' journals and every command line seen during the deploy.
/// </summary>
[TestFixture("bookworm", "e2erg", "10.134.0", 19180)]
[Category("e2e")]
[NonParallelizable]
public sealed partial class RegistryModeTests(string suite, string prefix, string subnet, int httpPortBase)
    : ServerFixture(suite, prefix, subnet, httpPortBase)
{
    private const int RegistryPort = 5443;
    private TestRegistry _registry = null!;
    private string _v1 = "";

    private Dictionary<string, string> Password(string password) => new() { ["REGISTRY_PASSWORD"] = password };

    [OneTimeSetUp]
    public async Task SetUpFixtureAsync()
    {
        await StartAsync(2, "pulled");
        _registry = await TestRegistry.StartAsync(_servers.Gateway, RegistryPort);
        await _registry.TrustOnAsync(_servers, 1);
        await _registry.TrustOnAsync(_servers, 2);
        _app.WriteConfig($"""
            service: pulled
            image: pulled
            servers:
              - host: {_servers.Ip(1)}
                labels: [primary]
              - host: {_servers.Ip(2)}
            registry:
              server: {_registry.Server}
              username: {TestRegistry.Username}
              password: ${"{"}REGISTRY_PASSWORD{"}"}
            services:
              web:
                port: 8000
                healthcheck: {"{"} path: /health, timeout: 20s, interval: 1s {"}"}
            drain: 5s
            """);
        var install = await _podlift.RunAsync(["agent", "install"], started: null, environment: Password(_registry.Password));
        Assert.That(install.ExitCode, Is.EqualTo(0), install.All);
    }

    [OneTimeTearDown]
    public async Task StopRegistryAsync()
    {
        if (_registry is not null) await _registry.DisposeAsync();
    }

    [Test, Order(1)]
    public async Task A_deploy_pushes_the_image_once_and_each_server_pulls_it_without_the_password_showing_anywhere()
    {
        await _app.CommitVersionAsync("v1");
        var sha = _v1 = await _app.HeadShaAsync();

        ShellResult deploy;
        IReadOnlySet<string> commandLines;
        await using (var watch = new CommandLineWatch([_servers.Name(1), _servers.Name(2)]))
        {
            deploy = await _podlift.RunAsync(["deploy", "--verbose"], started: null, environment: Password(_registry.Password));
            commandLines = await watch.StopAsync();
        }

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(deploy.Output, Does.Contain($"registry {TestRegistry.Username}@{_registry.Server}: login accepted"));
        Assert.That(Regex.Matches(deploy.Output, $@"{Regex.Escape(_registry.Server)}/pulled:{sha} pushed: \d of \d layers").Count, Is.EqualTo(1), "pushed once");
        foreach (var server in new[] { 1, 2 })
        {
            Assert.That(deploy.Output, Does.Match($@"{Regex.Escape(_servers.Ip(server))} pulled pulled:{sha} from {Regex.Escape(_registry.Server)}: \d of \d layers downloaded"));
            var images = await _servers.MustSshAsync(server, "docker image ls --format '{{.Repository}}:{{.Tag}}'");
            Assert.That(images, Does.Contain($"pulled:{sha}"), "tagged as the deploy names it");
            Assert.That(images, Does.Not.Contain(_registry.Server), "the registry's tag is removed, so pruning frees the layers");
        }
        Assert.That(await _registry.TagsAsync("pulled"), Does.Contain(sha));
        Assert.That(await ServedAsync(), Is.EqualTo("v1"));

        Assert.That(deploy.All, Does.Not.Contain(_registry.Password), "the CLI's output, --verbose included");
        Assert.That(commandLines.Where(line => line.Contains(_registry.Password)), Is.Empty, $"{commandLines.Count} command lines sampled");
        Assert.That(commandLines.Any(line => line.Contains("podlift-agent")), "the watch saw the servers' processes");
        foreach (var server in new[] { 1, 2 })
        {
            var journal = await _servers.MustSshAsync(server, "journalctl -u podlift-agent --no-pager -o cat");
            Assert.That(journal, Does.Contain($"pulled {_registry.Server}/pulled:{sha} as pulled:{sha}"));
            Assert.That(journal, Does.Not.Contain(_registry.Password));
        }
        var dockerConfig = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "config.json");
        Assert.That(File.Exists(dockerConfig) ? File.ReadAllText(dockerConfig) : "", Does.Not.Contain(_registry.Server), "no login is stored on this machine");
    }

    [Test, Order(2)]
    public async Task B_a_parallel_redeploy_under_load_pulls_only_the_changed_layers_and_drops_no_request()
    {
        await _app.CommitVersionAsync("v2");

        await using var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/version"));
        var deploy = await _podlift.RunAsync(["deploy", "--parallel"], started: null, environment: Password(_registry.Password));
        var report = await load.StopAsync();

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(report.Bodies.Keys, Is.SupersetOf(new[] { "v2" }));
        var pushed = PushLine().Match(deploy.Output);
        Assert.That(pushed.Success, deploy.Output);
        Assert.That(int.Parse(pushed.Groups["already"].Value), Is.GreaterThan(0), $"the unchanged layers stay in the registry: {pushed.Value}");
        foreach (var server in new[] { 1, 2 })
        {
            var pulled = PullLine().Matches(deploy.Output).Single(m => m.Groups["host"].Value == _servers.Ip(server));
            Assert.That(int.Parse(pulled.Groups["already"].Value), Is.GreaterThan(0), $"the unchanged layers stay on the server: {pulled.Value}");
            Assert.That(int.Parse(pulled.Groups["downloaded"].Value), Is.EqualTo(int.Parse(pushed.Groups["pushed"].Value)),
                "a server downloads what the push uploaded");
        }
        Assert.That(await ServedAsync(), Is.EqualTo("v2"));
    }

    [Test, Order(3)]
    public async Task C_a_refused_login_stops_the_deploy_before_anything_is_built_or_changed()
    {
        var running = await _app.HeadShaAsync();
        await _app.CommitVersionAsync("v3");
        var sha = await _app.HeadShaAsync();

        var deploy = await _podlift.RunAsync(["deploy"], started: null, environment: Password("not-the-password"));

        Assert.That(deploy.ExitCode, Is.EqualTo(3), deploy.All);
        Assert.That(deploy.All, Does.Contain($"the registry {_registry.Server} refused the login of {TestRegistry.Username}"));
        Assert.That(deploy.All, Does.Contain("check registry.username and registry.password"));
        Assert.That(deploy.All, Does.Not.Contain("not-the-password"));
        var local = await Shell.RunAsync("docker", ["image", "inspect", $"pulled:{sha}"]);
        Assert.That(local.ExitCode, Is.Not.EqualTo(0), "nothing was built");
        Assert.That(await _registry.TagsAsync("pulled"), Does.Not.Contain(sha));
        Assert.That(await ServedAsync(), Is.EqualTo("v2"), "the old version keeps serving");
        var status = await _podlift.RunAsync(["status"], started: null, environment: Password(_registry.Password));
        Assert.That(status.Output, Does.Contain(running).And.Not.Contain(sha));
    }

    [Test, Order(3)]
    public async Task C_validate_checks_the_registry_login()
    {
        var good = await _podlift.RunAsync(["validate"], started: null, environment: Password(_registry.Password));
        var bad = await _podlift.RunAsync(["validate"], started: null, environment: Password("not-the-password"));

        Assert.That(good.Output, Does.Contain($"✓ registry {TestRegistry.Username}@{_registry.Server}: login accepted"), good.All);
        Assert.That(bad.ExitCode, Is.EqualTo(3), bad.All);
        Assert.That(bad.Output, Does.Contain($"✗ the registry {_registry.Server} refused the login of {TestRegistry.Username}"));
        Assert.That(bad.All, Does.Not.Contain("not-the-password"));
    }

    [Test, Order(4)]
    public async Task D_a_rollback_to_a_version_pruned_from_a_server_pulls_its_image_back_from_the_registry()
    {
        Assert.That(_v1, Is.Not.Empty, "runs after the first deploy");
        await _servers.MustSshAsync(2, $"docker rm -f $(docker ps -aq --filter name=pulled-web-{_v1}) && docker rmi pulled:{_v1}");

        var rollback = await _podlift.RunAsync(["rollback"], started: null, environment: Password(_registry.Password));

        Assert.That(rollback.ExitCode, Is.EqualTo(0), rollback.All);
        Assert.That(rollback.Output, Does.Contain($"{_servers.Ip(2)} no longer had pulled:{_v1}; pulled it from {_registry.Server}"));
        Assert.That(rollback.Output, Does.Not.Contain($"{_servers.Ip(1)} no longer had"), "the primary still had it");
        Assert.That(await _servers.MustSshAsync(2, $"docker ps --filter label=podlift.version={_v1} --format '{{{{.State}}}}'"), Does.Contain("running"));
        Assert.That(await ServedAsync(), Is.EqualTo("v1"));
    }

    /// <summary>
    /// A pull, like a load, streams with no deadline of its own. dockerd is stopped (SIGSTOP) on the primary as soon as the
    /// pull's first blob lands in Docker's tmp: the agent, which pings Docker whenever the pull reports nothing, ends it.
    /// </summary>
    [Test, Order(5)]
    public async Task E_a_deploy_whose_Docker_stops_while_it_pulls_fails_within_a_minute_and_the_old_version_keeps_serving()
    {
        var serving = await ServedAsync();
        ShellResult deploy;
        bool stopped;
        var clock = Stopwatch.StartNew();
        // a pull downloads each blob into Docker's tmp: SIGSTOP as soon as anything is there
        await using (var trap = await DockerStopTrap.SetAsync(_servers, _app, 1, "[ -n \"$(ls -A /var/lib/docker/tmp 2>/dev/null)\" ]"))
        {
            deploy = await _podlift.RunAsync(["deploy"], started: null, environment: Password(_registry.Password));
            stopped = await trap.SprungAsync();
        }

        Assert.That(stopped, Is.True, "Docker was stopped while it pulled");
        Assert.That(deploy.ExitCode, Is.EqualTo(4), deploy.All);
        Assert.That(deploy.All, Does.Contain("Docker stopped answering while it pulled the image").And.Contain("systemctl status docker"));
        // the summary after the failure does not wait for the stopped Docker either (it did, for Docker.DotNet's 100 s)
        Assert.That(deploy.Output, Does.Contain($"? {_servers.Ip(1)}: no answer within 15 s").And.Contain($"- {_servers.Ip(2)}: {_v1}"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the deploy ends instead of waiting for Docker");
        Assert.That(await ServedAsync(), Is.EqualTo(serving));
    }

    [GeneratedRegex(@"pushed: (?<pushed>\d+) of (?<layers>\d+) layers \([^)]*\), (?<already>\d+) already there")]
    private static partial Regex PushLine();

    [GeneratedRegex(@"(?<host>\S+) pulled \S+ from \S+: (?<downloaded>\d+) of (?<layers>\d+) layers downloaded \([^)]*\), (?<already>\d+) already there")]
    private static partial Regex PullLine();

    private async Task<string> ServedAsync()
    {
        using var http = new HttpClient();
        return (await http.GetStringAsync(new Uri(_servers.Http(1), "/version"))).Trim();
    }
}

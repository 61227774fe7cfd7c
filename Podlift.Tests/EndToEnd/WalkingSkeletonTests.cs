using System.Diagnostics;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// The walking skeleton on one real server: agent install, deploy, zero-downtime redeploy under load,
/// a failing health check, and a deploy that survives its client's SSH connection being killed.
/// Runs once per Debian release: bookworm has Docker 20.10 (API 1.41), trixie Docker 26 (API 1.45).
/// </summary>
[TestFixture("bookworm", "e2ebw", "10.125.0", 18280)]
[TestFixture("trixie", "e2etx", "10.126.0", 18380)]
[Category("e2e")]
[NonParallelizable]
public sealed class WalkingSkeletonTests(string suite, string prefix, string subnet, int httpPortBase)
    : ServerFixture(suite, prefix, subnet, httpPortBase)
{
    private const int MinimumRequestsPerSecond = 50;

    [OneTimeSetUp]
    public async Task StartServersAsync()
    {
        await StartAsync(1, "example");
        WriteConfig();
        await _app.CommitVersionAsync("v1");
    }

    private void WriteConfig(string extraServiceLines = "") => _app.WriteConfig($"""
        service: example
        image: example
        servers:
          - host: {_servers.Ip(1)}
        services:
          web:
            port: 8000
            healthcheck: {"{"} path: /health, expect: [200], timeout: 20s, interval: 1s, retries: 3 {"}"}
        {extraServiceLines}
        drain: 5s
        """);

    [Test, Order(1)]
    public async Task AgentInstall_RunsTheAgentAsAServiceOnAUnixSocketOnly()
    {
        var install = await _podlift.RunAsync("agent", "install");
        Assert.That(install.ExitCode, Is.EqualTo(0), install.All);
        Assert.That(install.Output, Does.Contain("installed"));

        Assert.That((await _servers.MustSshAsync(1, "systemctl is-active podlift-agent")).Trim(), Is.EqualTo("active"));
        Assert.That((await _servers.MustSshAsync(1, "stat -c '%a %U %G' /run/podlift/agent.sock")).Trim(), Is.EqualTo("660 root podlift"));
        var tcpListeners = await _servers.MustSshAsync(1, "ss -Hltnp");
        Assert.That(tcpListeners, Does.Not.Contain("podlift"), "the agent must not listen on TCP");
        Assert.That(await _servers.MustSshAsync(1, "ss -Hlxp"), Does.Contain("podlift-agent"), "the agent listens on its unix socket");
        Assert.That((await _servers.SshAsync(1, "ldconfig -p | grep -c libicu")).Output.Trim(), Is.EqualTo("0"),
            "the test server has no libicu, so this proves the agent runs without it");

        var again = await _podlift.RunAsync("agent", "install");
        Assert.That(again.ExitCode, Is.EqualTo(0), again.All);
        Assert.That(again.Output, Does.Contain("no change"));
    }

    [Test, Order(2)]
    public async Task Deploy_ServesTheFirstVersionThroughNginx()
    {
        var deploy = await _podlift.RunAsync("deploy");
        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        foreach (var step in new[] { "[1/7] Validate", "[2/7] Build", "[3/7] Transfer", "[4/7] Load", "[5/7] Start containers", "[6/7] Update nginx", "[7/7] Cleanup" })
            Assert.That(deploy.Output, Does.Contain(step));
        Assert.That(deploy.Output, Does.Contain("Deployment successful"));
        Assert.That(await GetVersionAsync(), Is.EqualTo("v1"));

        var ps = await _podlift.RunAsync("ps");
        Assert.That(ps.ExitCode, Is.EqualTo(0), ps.All);
        Assert.That(ps.Output, Does.Match($@"web\s+{await _app.HeadShaAsync()}\s+1/1\s+healthy"));
    }

    [Test, Order(3)]
    public async Task Redeploy_UnderLoad_DropsNoRequest()
    {
        await _app.CommitVersionAsync("v2");
        await using var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/version"));
        await Task.Delay(1000);
        var deploy = await _podlift.RunAsync("deploy");
        await Task.Delay(1000);
        var report = await load.StopAsync();

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(report.RequestsPerSecond, Is.GreaterThanOrEqualTo(MinimumRequestsPerSecond), report.ToString());
        Assert.That(report.Failed, Is.EqualTo(0), $"{report}\n{string.Join('\n', report.Failures)}");
        Assert.That(report.Bodies.Keys, Is.SupersetOf(new[] { "v1", "v2" }), "the load saw both versions, so it spanned the switch");
        Assert.That(await GetVersionAsync(), Is.EqualTo("v2"));
        Assert.That(deploy.Output, Does.Contain("Old containers stopped"));
    }

    [Test, Order(4)]
    public async Task DeployWithFailingHealthCheck_KeepsTheOldVersionServing()
    {
        await _app.CommitVersionAsync("v3", healthy: false);
        await using var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/version"));
        await Task.Delay(500);
        var deploy = await _podlift.RunAsync("deploy");
        await Task.Delay(500);
        var report = await load.StopAsync();

        Assert.That(deploy.ExitCode, Is.EqualTo(4), deploy.All);
        Assert.That(deploy.Output, Does.Contain("Health check failed"));
        Assert.That(deploy.Output, Does.Contain("GET /health answered 404"));
        Assert.That(deploy.Output, Does.Contain("Last log lines of example-web-"));
        Assert.That(deploy.Output, Does.Contain("example-app v3 listening on :8000"), "the failing container's own log is shown");
        Assert.That(deploy.Error, Does.Contain("Deployment failed"));
        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(report.RequestsPerSecond, Is.GreaterThanOrEqualTo(MinimumRequestsPerSecond), report.ToString());
        Assert.That(await GetVersionAsync(), Is.EqualTo("v2"));

        var containers = await _servers.MustSshAsync(1, "docker ps -a --format '{{.Names}} {{.State}}'");
        Assert.That(containers, Does.Not.Contain(await _app.HeadShaAsync()), "the failed version's containers are removed");
    }

    [Test, Order(5)]
    public async Task KilledSshConnectionDuringHealthChecks_DeployStillCompletesOnTheServer()
    {
        WriteConfig("""
                env:
                  START_DELAY: "4"
            """);
        await _app.CommitVersionAsync("v4");
        var version = await _app.HeadShaAsync();

        Process? cli = null;
        var killed = 0;
        var deploy = await _podlift.RunAsync(["deploy"], started: p => cli = p, onOutputLine: line =>
        {
            if (line.StartsWith("Starting example-web-", StringComparison.Ordinal) && Interlocked.Exchange(ref killed, 1) == 0)
                KillSshMasterOf(cli!);
        });

        Assert.That(killed, Is.EqualTo(1), "the ssh connection was killed mid-deploy");
        Assert.That(deploy.ExitCode, Is.EqualTo(5), deploy.All);
        Assert.That(deploy.Error, Does.Contain("connection to the agent was lost"));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        string state;
        do
        {
            await Task.Delay(500);
            state = await _servers.MustSshAsync(1, "cat /var/lib/podlift/example/state.json");
        } while (!state.Contains($"\"version\": \"{version}\"") && DateTime.UtcNow < deadline);
        Assert.That(state, Does.Contain($"\"version\": \"{version}\""), "state.json records the new version");
        Assert.That(await _servers.MustSshAsync(1, "cat /etc/nginx/conf.d/podlift-example.conf"), Does.Contain($"example-web-{version}-1"));
        Assert.That(await GetVersionAsync(), Is.EqualTo("v4"));
    }

    [Test, Order(6)]
    public async Task UnknownHostKey_IsRefused()
    {
        var emptyKnownHosts = Path.Combine(_app.Directory, "..", $"{_servers.Prefix}-empty-known-hosts");
        File.WriteAllText(emptyKnownHosts, "");
        var config = Path.Combine(_app.Directory, "..", $"{_servers.Prefix}-ssh-config");
        File.WriteAllText(config, File.ReadAllText(_servers.SshConfig).Replace(_servers.KnownHosts, emptyKnownHosts));

        var ps = await _podlift.RunAsync(["ps"], started: null, sshConfigOverride: config);

        Assert.That(ps.ExitCode, Is.EqualTo(5), ps.All);
        Assert.That(ps.Error, Does.Contain("host key is not known"));
        Assert.That(ps.Error, Does.Contain("ssh-keyscan"), "the message says how to trust the key after checking it");
    }

    private async Task<string> GetVersionAsync()
    {
        using var http = new HttpClient();
        return (await http.GetStringAsync(new Uri(_servers.Http(1), "/version"))).Trim();
    }

    /// <summary>Kills the CLI's SSH control master (its child `ssh -M ...`), as a dropped network would.</summary>
    private static void KillSshMasterOf(Process cli)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                if (parent == cli.Id && commandLine[0] == "ssh" && commandLine.Contains("-M"))
                {
                    Process.GetProcessById(pid).Kill();
                    TestContext.Progress.WriteLine($"killed ssh master {pid} of podlift {cli.Id}");
                    return;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { }
        }
        Assert.Fail($"no ssh master process found under podlift (pid {cli.Id})");
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// Three real servers: web on two (two replicas each) behind the primary's nginx, a worker on the
/// third, a dependency on the primary. Serial and parallel deploys under load, a failure on the second
/// server, an unreachable server, the firewall that keeps container ports to the other servers, and
/// atomic rollouts: every server at once, or none.
/// </summary>
[TestFixture("bookworm", "e2ems", "10.132.0", 18980)]
[Category("e2e")]
[NonParallelizable]
public sealed class MultiServerTests(string suite, string prefix, string subnet, int httpPortBase)
    : ServerFixture(suite, prefix, subnet, httpPortBase)
{
    private const string StoreImage = TestImages.Store;
    private readonly Dictionary<string, TimeSpan> _wallTimes = [];

    [OneTimeSetUp]
    public async Task SetUpFixtureAsync()
    {
        await TestImages.BuildStoreAsync();
        await StartAsync(3, "fleet");
        _app.WriteConfig($"""
            service: fleet
            image: fleet
            servers:
              web:
                - host: {_servers.Ip(1)}
                  labels: [primary]
                - host: {_servers.Ip(2)}
              worker:
                - host: {_servers.Ip(3)}
            dependencies:
              store:
                image: {StoreImage}
                port: 6379
                volume: fleet_store:/data
              cache:
                image: {StoreImage}
                port: 6379
                volume: fleet_cache:/data
                role: worker
            services:
              web:
                port: 8000
                replicas: 2
                healthcheck: {"{"} path: /cgi-bin/health, timeout: 15s, interval: 1s, retries: 2 {"}"}
              worker:
                command: ["/bin/busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do /bin/busybox sleep 1; done"]
                healthcheck: false
            drain: 10s
            """);
        await _app.CommitVersionAsync("v1");
        await InstallAgentAsync();
    }


    [Test, Order(1)]
    public async Task SerialDeploy_UnderLoad_BalancesAcrossBothWebServers()
    {
        var first = await _podlift.RunAsync("deploy");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.All);
        foreach (var server in new[] { 1, 2, 3 })
            Assert.That(first.Output, Does.Contain($"Deploying to {_servers.Ip(server)}..."));
        Assert.That(first.Output, Does.Contain("All servers deployed successfully"));
        Assert.That(first.Output.IndexOf($"Deploying to {_servers.Ip(1)}", StringComparison.Ordinal),
            Is.LessThan(first.Output.IndexOf($"Deploying to {_servers.Ip(2)}", StringComparison.Ordinal)), "the primary goes first");

        await _app.CommitVersionAsync("v2");
        var report = await DeployUnderLoadAsync(0, "deploy");

        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        var hosts = await ContainerHostsByServerAsync();
        var answeredBy = report.Bodies.Keys.Where(b => b.StartsWith("version=v2", StringComparison.Ordinal)).Select(b => b.Split("host=")[1]).ToHashSet();
        Assert.That(answeredBy.Overlaps(hosts[1]), Is.True, $"containers on the primary answered: {string.Join(",", answeredBy)}");
        Assert.That(answeredBy.Overlaps(hosts[2]), Is.True, $"containers on the second web server answered: {string.Join(",", answeredBy)}");
        Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v2" }));
    }

    [Test, Order(2)]
    public async Task ParallelDeploy_UnderLoad_DropsNoRequest()
    {
        await _app.CommitVersionAsync("v3");
        var report = await DeployUnderLoadAsync(0, "deploy", "--parallel");

        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v3" }));
        TestContext.Progress.WriteLine($"wall time over 3 servers: serial {_wallTimes["deploy"].TotalSeconds:0.0}s, parallel {_wallTimes["deploy --parallel"].TotalSeconds:0.0}s");
    }

    [Test, Order(3)]
    public async Task FailureOnTheSecondServer_StopsTheRun_AndTheSummarySaysWhatRunsWhere()
    {
        File.WriteAllText(Path.Combine(_app.Directory, "www", "fail-off-primary"), "");
        await _app.CommitVersionAsync("v4");
        var v4 = await _app.HeadShaAsync();
        var workersBefore = await _servers.MustSshAsync(3, "docker ps --format '{{.ID}} {{.Names}}' | sort");

        var report = await DeployUnderLoadAsync(4, "deploy");

        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(_lastRun!.Output, Does.Contain($"✓ {_servers.Ip(1)}: {v4} (new)"));
        Assert.That(_lastRun.Output, Does.Match($@"- {_servers.Ip(2).Replace(".", @"\.")}: [0-9a-f]{{7}}"));
        Assert.That(_lastRun.Output, Does.Not.Contain($"Deploying to {_servers.Ip(3)}"), "the third server is not touched");
        Assert.That(await _servers.MustSshAsync(3, "docker ps --format '{{.ID}} {{.Names}}' | sort"), Is.EqualTo(workersBefore));
        Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v3", "v4" }), "the primary serves v4 beside the second server's v3");

        File.Delete(Path.Combine(_app.Directory, "www", "fail-off-primary"));
        await _app.CommitVersionAsync("v5");
        var fixedDeploy = await _podlift.RunAsync("deploy");
        Assert.That(fixedDeploy.ExitCode, Is.EqualTo(0), fixedDeploy.All);
    }

    [Test, Order(4)]
    public async Task WorkersReachTheDependencyThroughPrimary_AndPsAggregatesServers()
    {
        await _servers.MustSshAsync(1, "docker exec fleet-store /bin/busybox sh -c 'echo shared > /data/data.txt'");
        var worker = (await _servers.MustSshAsync(3, "docker ps --filter label=podlift.role=worker --format '{{.Names}}' | head -1")).Trim();
        Assert.That(await _servers.MustSshAsync(3, $"docker exec {worker} /bin/busybox wget -qO- http://primary:6379/data.txt"), Does.Contain("shared"));

        var ps = await _podlift.RunAsync("ps");
        Assert.That(ps.ExitCode, Is.EqualTo(0), ps.All);
        Assert.That(ps.Output, Does.Contain("SERVER"));
        Assert.That(ps.Output, Does.Match($@"{_servers.Ip(1).Replace(".", @"\.")}\s+web\s+[0-9a-f]{{7}}\s+2/2\s+healthy"));
        Assert.That(ps.Output, Does.Match($@"{_servers.Ip(2).Replace(".", @"\.")}\s+web\s+[0-9a-f]{{7}}\s+2/2\s+healthy"));
        Assert.That(ps.Output, Does.Match($@"{_servers.Ip(3).Replace(".", @"\.")}\s+worker\s+[0-9a-f]{{7}}\s+1/1\s+running"));
        Assert.That(ps.Output, Does.Match($@"{_servers.Ip(1).Replace(".", @"\.")}\s+store \(dependency\)\s+{Regex.Escape(StoreImage)}\s+1/1\s+running"));
        Assert.That(ps.Output, Does.Match($@"{_servers.Ip(3).Replace(".", @"\.")}\s+cache \(dependency\)\s+{Regex.Escape(StoreImage)}\s+1/1\s+running"));
    }

    [Test, Order(4)]
    public async Task A_dependency_placed_on_the_worker_server_runs_there_and_every_server_reaches_it_by_name()
    {
        await _servers.MustSshAsync(3, "docker exec fleet-cache /bin/busybox sh -c 'echo cached > /data/data.txt'");
        var web1 = (await _servers.MustSshAsync(1, "docker ps --filter label=podlift.role=web --format '{{.Names}}' | head -1")).Trim();
        var web2 = (await _servers.MustSshAsync(2, "docker ps --filter label=podlift.role=web --format '{{.Names}}' | head -1")).Trim();
        var worker = (await _servers.MustSshAsync(3, "docker ps --filter label=podlift.role=worker --format '{{.Names}}' | head -1")).Trim();

        Assert.That(await _servers.MustSshAsync(1, $"docker exec {web1} /bin/busybox wget -qO- http://cache:6379/data.txt"), Does.Contain("cached"), "from the primary");
        Assert.That(await _servers.MustSshAsync(2, $"docker exec {web2} /bin/busybox wget -qO- http://cache:6379/data.txt"), Does.Contain("cached"), "from another server");
        Assert.That(await _servers.MustSshAsync(3, $"docker exec {worker} /bin/busybox wget -qO- http://cache:6379/data.txt"), Does.Contain("cached"), "on its own server, by its alias");
        Assert.That(await _servers.MustSshAsync(1, "docker ps -a --format '{{.Names}}'"), Does.Not.Contain("fleet-cache"), "placed on the worker server only");
        var fromOutside = await Shell.RunAsync("curl", ["-fsS", "-m", "3", $"http://{_servers.Ip(3)}:6379/data.txt"]);
        Assert.That(fromOutside.ExitCode, Is.Not.EqualTo(0), "a host that is not one of the app's servers does not reach it");
    }

    [Test, Order(5)]
    public async Task ContainerPortsOfOtherServers_AreReachableFromPeersOnly()
    {
        var port = (await _servers.MustSshAsync(2, "docker ps --filter label=podlift.role=web --format '{{.Ports}}' | head -1")).Split(':')[1].Split('-')[0];

        Assert.That((await _servers.SshAsync(1, $"curl -fsS -m 3 http://{_servers.Ip(2)}:{port}/version")).ExitCode, Is.EqualTo(0), "the primary reaches them");
        var fromOutside = await Shell.RunAsync("curl", ["-fsS", "-m", "3", $"http://{_servers.Ip(2)}:{port}/version"]);
        Assert.That(fromOutside.ExitCode, Is.Not.EqualTo(0), "a host that is not one of the app's servers does not");
    }

    [Test, Order(5)]
    public async Task ASecondAppsDeploy_LeavesTheFirstAppsFirewallAlone_AndTheAgentReloadsItAfterAReboot()
    {
        using var other = await AppRepository.CreateAsync("other");
        other.WriteConfig($"""
            service: other
            image: other
            domain: other.test
            servers:
              - host: {_servers.Ip(3)}
                labels: [primary]
              - host: {_servers.Ip(2)}
            services:
              web:
                port: 8000
                healthcheck: {"{"} path: /health, timeout: 15s, interval: 1s {"}"}
            """);
        await other.CommitVersionAsync("o1");
        var deploy = await new PodliftRunner(other, _servers.SshConfig).RunAsync("deploy");
        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);

        // before per-app chains, this deploy rewrote the one shared chain with its own peers only: server 2's
        // fleet containers then dropped the primary's connections
        await AssertFleetPortsOfServerTwoAreForPeersOnlyAsync();
        var chains = await _servers.MustSshAsync(2, "iptables -S DOCKER-USER");
        Assert.That(chains, Does.Contain("-j PODLIFT-fleet").And.Contain("-j PODLIFT-other"));

        // a reboot forgets iptables rules: the agent loads them again when it starts
        await _servers.MustSshAsync(2, "iptables -D DOCKER-USER -j PODLIFT-fleet && iptables -F PODLIFT-fleet && iptables -X PODLIFT-fleet && systemctl restart podlift-agent");
        await WaitForAgentAsync(2);
        await AssertFleetPortsOfServerTwoAreForPeersOnlyAsync();
    }

    private async Task AssertFleetPortsOfServerTwoAreForPeersOnlyAsync()
    {
        var port = (await _servers.MustSshAsync(2, "docker ps --filter label=podlift.service=fleet --filter label=podlift.role=web --format '{{.Ports}}' | head -1")).Split(':')[1].Split('-')[0];
        Assert.That((await _servers.SshAsync(1, $"curl -fsS -m 3 http://{_servers.Ip(2)}:{port}/version")).ExitCode, Is.EqualTo(0), "fleet's primary reaches them");
        Assert.That((await Shell.RunAsync("curl", ["-fsS", "-m", "3", $"http://{_servers.Ip(2)}:{port}/version"])).ExitCode, Is.Not.EqualTo(0),
            "a host that is not one of fleet's servers does not");
    }

    private async Task WaitForAgentAsync(int server)
    {
        for (var i = 0; i < 100; i++)
        {
            if ((await _servers.SshAsync(server, "test -S /run/podlift/agent.sock && systemctl is-active podlift-agent")).ExitCode == 0) return;
            await Task.Delay(200);
        }
        Assert.Fail("the agent did not come back");
    }

    [Test, Order(6)]
    public async Task UnreachableServer_FailsWithExit5NamingIt_BeforeAnythingChanges()
    {
        var before = await AllContainersAsync();
        await Shell.MustAsync("docker", "exec", _servers.Name(3), "systemctl", "stop", "ssh.socket", "ssh.service");
        try
        {
            await _app.CommitVersionAsync("v6");
            foreach (var arguments in new[] { new[] { "deploy" }, new[] { "deploy", "--parallel" } })
            {
                var deploy = await _podlift.RunAsync(arguments);
                Assert.That(deploy.ExitCode, Is.EqualTo(5), deploy.All);
                Assert.That(deploy.Error, Does.Contain(_servers.Ip(3)));
                Assert.That(await AllContainersAsync(), Is.EqualTo(before), "nothing changed anywhere");
            }
        }
        finally
        {
            await Shell.MustAsync("docker", "exec", _servers.Name(3), "systemctl", "start", "ssh.service");
        }
    }

    [Test, Order(7)]
    public async Task AtomicDeploy_UnderLoad_SwitchesEveryServerAtOnce()
    {
        var old = (await ServedVersionsAsync()).Single();
        await _app.CommitVersionAsync("v7");
        var dryRun = await _podlift.RunAsync("deploy", "--atomic", "--dry-run");
        Assert.That(dryRun.ExitCode, Is.EqualTo(0), dryRun.All);
        Assert.That(dryRun.Output, Does.Contain("Rollout: atomic"));
        Assert.That(dryRun.Output, Does.Contain("wait for every server to be ready (atomic), then switch to all their new backends at once"), "the primary's plan");
        Assert.That(dryRun.Output, Does.Contain($"wait for every server to be ready (atomic); the primary then takes {_servers.Ip(2)}:"), "the second server's plan");

        var report = await DeployUnderLoadAsync(0, "deploy", "--atomic");

        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(_lastRun!.Output, Does.Contain("all 3 servers ready"));
        Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v7" }));
        var atomic = report.Interleaving(IsVersion(old), IsVersion("v7"));
        // the same figure for the serial and the parallel deploy of this fixture, for comparison
        var others = new[] { ("serial", "deploy", "v1", "v2"), ("parallel", "deploy --parallel", "v2", "v3") }
            .Where(o => _reports.ContainsKey(o.Item2))
            .Select(o => $", {o.Item1} {_reports[o.Item2].Interleaving(IsVersion(o.Item3), IsVersion(o.Item4)).TotalSeconds:0.00}s");
        TestContext.Progress.WriteLine($"old and new side by side: atomic {atomic.TotalSeconds:0.00}s{string.Concat(others)}");
        Assert.That(atomic, Is.LessThan(TimeSpan.FromSeconds(1)), "clients see the old version, then the new: at most one nginx reload of overlap");
    }

    [Test, Order(8)]
    public async Task AtomicDeploy_WithAFailureOnTheSecondWebServer_LeavesEveryServerOnTheOldVersion()
    {
        File.WriteAllText(Path.Combine(_app.Directory, "www", "fail-off-primary"), "");
        await _app.CommitVersionAsync("v8");
        var v8 = await _app.HeadShaAsync();
        var workersBefore = await _servers.MustSshAsync(3, "docker ps --format '{{.ID}} {{.Names}}' | sort");
        try
        {
            var report = await DeployUnderLoadAsync(4, "deploy", "--atomic");

            Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
            Assert.That(report.Bodies.Keys, Has.None.StartsWith("version=v8"), "no client ever saw the new version");
            Assert.That(_lastRun!.Output, Does.Contain("atomic rollout stopped before any server switched"));
            foreach (var server in new[] { 1, 2, 3 })
            {
                Assert.That(_lastRun.Output, Does.Match($@"- {_servers.Ip(server).Replace(".", @"\.")}: [0-9a-f]{{7}}"), $"server {server} keeps the old version");
                Assert.That(await _servers.MustSshAsync(server, $"docker ps -a -q --filter label=podlift.version={v8}"), Is.Empty,
                    $"server {server}: the new containers are removed");
            }
            Assert.That(await _servers.MustSshAsync(3, "docker ps --format '{{.ID}} {{.Names}}' | sort"), Is.EqualTo(workersBefore), "the old workers never stopped");
            Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v7" }));
        }
        finally
        {
            File.Delete(Path.Combine(_app.Directory, "www", "fail-off-primary"));
        }
    }

    [Test, Order(9)]
    public async Task BatchDeploy_TwoThenOne_UnderLoad_DropsNoRequest()
    {
        File.AppendAllText(Path.Combine(_app.Directory, "podlift.yml"), "\nrollout: { batch: 2, wait: 2s }\n");
        await _app.CommitVersionAsync("v9");
        _v9 = await _app.HeadShaAsync();
        var (primary, web, worker) = (_servers.Ip(1), _servers.Ip(2), _servers.Ip(3));

        var dryRun = await _podlift.RunAsync("deploy", "--dry-run");
        Assert.That(dryRun.ExitCode, Is.EqualTo(0), dryRun.All);
        Assert.That(dryRun.Output, Does.Contain($"Rollout: batches of 2 ({primary}, {web} | {worker}), 2s apart"));

        var report = await DeployUnderLoadAsync(0, "deploy");

        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        var output = _lastRun!.Output;
        var (first, pause, second) = (output.IndexOf($"Batch 1 of 2: {primary}, {web}...", StringComparison.Ordinal),
            output.IndexOf("Waiting 2s before the next batch...", StringComparison.Ordinal), output.IndexOf($"Batch 2 of 2: {worker}...", StringComparison.Ordinal));
        Assert.That(new[] { first, pause, second }, Is.All.GreaterThanOrEqualTo(0), output);
        Assert.That(new[] { first, pause, second }, Is.Ordered, output);
        Assert.That(output.IndexOf("Batch 1 of 2 deployed", StringComparison.Ordinal), Is.InRange(first, pause), "the second batch starts once the first is done");
        Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v9" }));
    }

    [Test, Order(10)]
    public async Task BatchDeploy_StopsAtTheFirstFailedBatch_AndLeavesTheRestUntouched()
    {
        File.WriteAllText(Path.Combine(_app.Directory, "www", "fail-off-primary"), "");
        await _app.CommitVersionAsync("v10");
        var v10 = await _app.HeadShaAsync();
        var workerBefore = await _servers.MustSshAsync(3, "docker ps --format '{{.ID}} {{.Names}}' | sort");
        try
        {
            var report = await DeployUnderLoadAsync(4, "deploy", "--parallel", "1");

            Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
            Assert.That(_lastRun!.Output, Does.Contain($"Batch 1 of 3: {_servers.Ip(1)}...").And.Contain("Batch 1 of 3 deployed"));
            Assert.That(_lastRun.Output, Does.Contain("batch 2 of 3 failed; the 1 server after it was not touched"));
            Assert.That(_lastRun.Output, Does.Not.Contain("Batch 3 of 3"));
            Assert.That(await _servers.MustSshAsync(3, $"docker ps -a -q --filter label=podlift.version={v10}"), Is.Empty, "the third batch never started");
            Assert.That(await _servers.MustSshAsync(3, "docker ps --format '{{.ID}} {{.Names}}' | sort"), Is.EqualTo(workerBefore));
            Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v9", "v10" }), "the primary switched; the second web server keeps v9");
        }
        finally
        {
            File.Delete(Path.Combine(_app.Directory, "www", "fail-off-primary"));
        }
    }

    private string _v9 = "";

    [Test, Order(11)]
    public async Task AtomicRollback_UnderLoad_ReturnsEveryServerAtOnce()
    {
        await _app.CommitVersionAsync("v11");
        await DeployUnderLoadAsync(0, "deploy");
        Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v11" }));

        // v10 is the primary's version before v11, but never reached the others: back to v9, which every server has
        var dryRun = await _podlift.RunAsync("rollback", "--atomic", "--to", _v9, "--dry-run");
        Assert.That(dryRun.ExitCode, Is.EqualTo(0), dryRun.All);
        Assert.That(dryRun.Output, Does.Contain("Rollout: atomic"));
        Assert.That(dryRun.Output, Does.Contain("wait for every server to be ready (atomic)"));

        var report = await DeployUnderLoadAsync(0, "rollback", "--atomic", "--to", _v9);

        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(_lastRun!.Output, Does.Contain("all 3 servers ready"));
        Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v9" }));
        var overlap = report.Interleaving(IsVersion("v11"), IsVersion("v9"));
        TestContext.Progress.WriteLine($"atomic rollback: new and old side by side {overlap.TotalSeconds:0.00}s");
        Assert.That(overlap, Is.LessThan(TimeSpan.FromSeconds(1)), "clients see v11, then v9: at most one nginx reload of overlap");
    }

    [Test, Order(12)]
    public async Task Canary_OnThePrimaryBesideEveryServer_PromoteBringsTheFleet_AndARollbackRemovesItAlone()
    {
        await _app.CommitVersionAsync("v12");
        var v12 = await _app.HeadShaAsync();
        var secondBefore = await _servers.MustSshAsync(2, "docker ps --format '{{.ID}} {{.Names}}' | sort");
        await using (var load = LoadGenerator.StartFreshClients(new Uri(_servers.Http(1), "/cgi-bin/whoami")))
        {
            var deploy = await _podlift.RunAsync("deploy", "--canary", "30%");
            var report = await load.StopAsync();
            Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
            Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        }
        Assert.That(await _servers.MustSshAsync(2, "docker ps --format '{{.ID}} {{.Names}}' | sort"), Is.EqualTo(secondBefore), "the canary runs on the primary alone");
        Assert.That(await _servers.MustSshAsync(3, $"docker ps -a -q --filter label=podlift.version={v12}"), Is.Empty);
        var split = await LoadGenerator.FreshClientsForAsync(new Uri(_servers.Http(1), "/version"), TimeSpan.FromSeconds(6));
        TestContext.Progress.WriteLine($"canary 30% on 3 servers: {split.Bodies.GetValueOrDefault("v12")} of {split.Sent} fresh clients on it ({split.ShareOf("v12"):P1}), {split.Failed} failed");
        Assert.That(split.Failed, Is.EqualTo(0), split.ToString());
        Assert.That(split.Bodies.Keys, Is.EquivalentTo(new[] { "v9", "v12" }));
        Assert.That(split.ShareOf("v12"), Is.EqualTo(0.3).Within(0.08), "the primary's own new containers take the share of every server's clients");

        var report2 = await DeployUnderLoadAsync(0, "promote");
        TestContext.Progress.WriteLine($"promote on 3 servers: {report2}");
        Assert.That(report2.Failed, Is.EqualTo(0), report2.ToString());
        Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v12" }));
        foreach (var server in new[] { 2, 3 })
            Assert.That(await _servers.MustSshAsync(server, $"docker ps -q --filter label=podlift.version={v12}"), Is.Not.Empty, $"server {server} deployed the canary's version");

        await _app.CommitVersionAsync("v13");
        Assert.That((await _podlift.RunAsync("deploy", "--canary", "50%")).ExitCode, Is.EqualTo(0));
        var removal = await DeployUnderLoadAsync(0, "rollback");
        TestContext.Progress.WriteLine($"canary removed on 3 servers: {removal}");
        Assert.That(removal.Failed, Is.EqualTo(0), removal.ToString());
        Assert.That(_lastRun!.Output, Does.Contain("Canary removed"));
        Assert.That(await ServedVersionsAsync(), Is.EquivalentTo(new[] { "v12" }), "the other servers were not rolled back");
        Assert.That(await _servers.MustSshAsync(2, $"docker ps -q --filter label=podlift.version={v12}"), Is.Not.Empty);
    }

    private static Func<string, bool> IsVersion(string version) => body => body.StartsWith($"version={version} ", StringComparison.Ordinal);

    private ShellResult? _lastRun;
    private readonly Dictionary<string, LoadReport> _reports = [];

    private async Task<LoadReport> DeployUnderLoadAsync(int expectedExit, params string[] arguments)
    {
        await using var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/cgi-bin/whoami"));
        await Task.Delay(500);
        var clock = Stopwatch.StartNew();
        _lastRun = await _podlift.RunAsync(arguments);
        _wallTimes[string.Join(' ', arguments)] = clock.Elapsed;
        await Task.Delay(500);
        var report = await load.StopAsync();
        if (expectedExit == 0) _reports[string.Join(' ', arguments)] = report;
        Assert.That(_lastRun.ExitCode, Is.EqualTo(expectedExit), _lastRun.All);
        Assert.That(report.RequestsPerSecond, Is.GreaterThanOrEqualTo(50), report.ToString());
        return report;
    }

    /// <summary>The versions nginx on the primary answers with, over enough requests to reach every backend.</summary>
    private async Task<HashSet<string>> ServedVersionsAsync()
    {
        using var http = new HttpClient();
        var versions = new HashSet<string>();
        for (var i = 0; i < 24; i++) versions.Add((await http.GetStringAsync(new Uri(_servers.Http(1), "/version"))).Trim());
        return versions;
    }

    private async Task<Dictionary<int, HashSet<string>>> ContainerHostsByServerAsync()
    {
        var hosts = new Dictionary<int, HashSet<string>>();
        foreach (var server in new[] { 1, 2 })
            hosts[server] = (await _servers.MustSshAsync(server, "docker ps --filter label=podlift.role=web --format '{{.ID}}'"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        return hosts;
    }

    /// <summary>Every container on every server, read through `docker exec` so it works while a server's sshd is down.</summary>
    private async Task<string> AllContainersAsync()
    {
        var all = "";
        foreach (var server in new[] { 1, 2, 3 })
            all += (await Shell.MustAsync("docker", "exec", _servers.Name(server), "docker", "ps", "-a", "--format", "{{.ID}} {{.Names}} {{.State}}")).Output;
        return all;
    }

}

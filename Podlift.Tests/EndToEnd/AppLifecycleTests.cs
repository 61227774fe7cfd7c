using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// A whole application on one real server: web + worker + a dependency with a volume, hooks, history,
/// rollback, the deploy lock, attach, and an agent killed with SIGKILL mid-deploy. A load generator
/// runs through nginx during every deploy and rollback, and no request may fail.
/// </summary>
[TestFixture("bookworm", "e2elc", "10.129.0", 18680)]
[Category("e2e")]
[NonParallelizable]
public sealed partial class AppLifecycleTests(string suite, string prefix, string subnet, int httpPortBase)
    : ServerFixture(suite, prefix, subnet, httpPortBase)
{
    private const string StoreImage = TestImages.Store;
    private readonly Dictionary<string, string> _shas = [];

    [OneTimeSetUp]
    public async Task SetUpFixtureAsync()
    {
        await TestImages.BuildStoreAsync();
        await StartAsync(1, "shop");
        WriteConfig();
        await _app.CommitVersionAsync("v1");
        await InstallAgentAsync();
    }


    private const string HttpHealthcheck = "healthcheck: { path: /health, timeout: 20s, interval: 1s, retries: 2 }";

    private void WriteConfig(string webEnv = "", string beforeDeploy = "true", string healthcheck = HttpHealthcheck, string verify = "") => _app.WriteConfig($"""
        service: shop
        image: shop
        servers:
          - host: {_servers.Ip(1)}
        dependencies:
          store:
            image: {StoreImage}
            port: 6379
            volume: shop_store:/data
        services:
          web:
            port: 8000
            {healthcheck}
            options: {"{"} memory: 96m, restart: always {"}"}
            env:
              STORE_URL: http://primary:6379/data.txt
        {webEnv}
          worker:
            command: ["/bin/busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do /bin/busybox sleep 1; done"]
            healthcheck: false
        hooks:
          before_deploy: ["{beforeDeploy}"]
          after_deploy: ["echo $PODLIFT_VERSION > /tmp/shop-after-deploy"]
          after_rollback: ["echo $PODLIFT_VERSION > /tmp/shop-after-rollback"]
        drain: 10s
        retain: 3
        {verify}
        """);

    private async Task<string> CommitAsync(string version, bool healthy = true)
    {
        await _app.CommitVersionAsync(version, healthy);
        return _shas[version] = await _app.HeadShaAsync();
    }

    [Test, Order(1)]
    public async Task ThreeDeploysAndTwoRollbacks_UnderLoad_DropNoRequest()
    {
        _shas["v1"] = await _app.HeadShaAsync();
        await DeployAsync();
        await StoreDataAsync();

        await using var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/version"));
        await CommitAsync("v2");
        await DeployAsync();
        await CommitAsync("v3");
        await DeployAsync();
        Assert.That(await ServedAsync(), Is.EqualTo("v3"));

        var back = await _podlift.RunAsync("rollback");
        Assert.That(back.ExitCode, Is.EqualTo(0), back.All);
        Assert.That(back.Output, Does.Contain($"Found: {_shas["v2"]} \"version v2\""));
        foreach (var step in new[] { "[1/4] Starting old containers", "[2/4] Updating nginx", "[3/4] Stopping current containers", "[4/4] Cleanup", "Rollback successful" })
            Assert.That(back.Output, Does.Contain(step));
        Assert.That(await ServedAsync(), Is.EqualTo("v2"));

        var toFirst = await _podlift.RunAsync("rollback", "--to", _shas["v1"]);
        Assert.That(toFirst.ExitCode, Is.EqualTo(0), toFirst.All);
        Assert.That(await ServedAsync(), Is.EqualTo("v1"));
        var report = await load.StopAsync();

        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(report.Bodies.Keys, Is.SupersetOf(new[] { "v1", "v2", "v3" }));
        Assert.That((await _servers.MustSshAsync(1, "cat /tmp/shop-after-rollback")).Trim(), Is.EqualTo(_shas["v1"]), "after_rollback ran with the version");
    }

    [Test, Order(2)]
    public async Task Dependency_KeepsItsDataAndContainer_AcrossDeploysAndRollbacks()
    {
        var containerId = await StoreContainerIdAsync();
        Assert.That(containerId, Is.EqualTo(_storeContainerId), "the dependency was never recreated");
        Assert.That(await _servers.MustSshAsync(1, "docker exec shop-store /bin/busybox cat /data/data.txt"), Does.Contain("kept"));

        var worker = (await _servers.MustSshAsync(1, "docker ps --filter label=podlift.role=worker --format '{{.Names}}'")).Trim();
        Assert.That(worker, Is.EqualTo("shop-worker-1"), "the live worker carries its stable name");
        Assert.That((await _servers.MustSshAsync(1, $"docker inspect -f '{{{{index .Config.Labels \"podlift.version\"}}}}' {worker}")).Trim(), Is.EqualTo(_shas["v1"]));
        Assert.That(await _servers.MustSshAsync(1, $"docker exec {worker} /bin/busybox wget -qO- http://store:6379/data.txt"), Does.Contain("kept"), "by name");
        Assert.That(await _servers.MustSshAsync(1, $"docker exec {worker} /bin/busybox wget -qO- http://primary:6379/data.txt"), Does.Contain("kept"), "as primary");

        var exec = await _podlift.RunAsync("exec", "store", "/bin/busybox", "cat", "/data/data.txt");
        Assert.That((exec.ExitCode, exec.Output.Trim()), Is.EqualTo((0, "kept")), "exec reaches a dependency by its name: " + exec.All);
        var logs = await _podlift.RunAsync("logs", "store", "--tail", "50");
        Assert.That(logs.ExitCode, Is.EqualTo(0), logs.All);
        Assert.That(System.Text.RegularExpressions.Regex.Matches(logs.All, @"\[store\] \S+: response:200").Count, Is.GreaterThanOrEqualTo(2),
            "the two requests the worker made, in the dependency's log");

        var web = (await _servers.MustSshAsync(1, "docker ps --filter label=podlift.role=web --format '{{.Names}}'")).Trim();
        Assert.That((await _servers.MustSshAsync(1, $"docker inspect -f '{{{{.HostConfig.Memory}}}} {{{{.HostConfig.RestartPolicy.Name}}}}' {web}")).Trim(),
            Is.EqualTo($"{96 * 1024 * 1024} always"), "options reach the container");
    }

    [Test, Order(3)]
    public async Task FailingBeforeDeployHook_ChangesNothing_AndAfterDeployHookRuns()
    {
        var before = await ContainersAsync();
        WriteConfig(beforeDeploy: "echo checking; exit 7");
        await CommitAsync("v4");

        var deploy = await _podlift.RunAsync("deploy");

        Assert.That(deploy.ExitCode, Is.EqualTo(4), deploy.All);
        Assert.That(deploy.Output, Does.Contain("echo checking; exit 7 failed (exit 7"));
        Assert.That(deploy.Output, Does.Contain("| checking"), "the hook's output is shown");
        Assert.That(await ContainersAsync(), Is.EqualTo(before), "no container started, stopped or removed");
        Assert.That(await ServedAsync(), Is.EqualTo("v1"));
        var ps = await _podlift.RunAsync("ps");
        Assert.That(ps.Output, Does.Match($@"web\s+{_shas["v1"]}\s+1/1\s+healthy"), "ps shows the old version still healthy");

        WriteConfig();
        await CommitAsync("v5");
        await DeployAsync();
        Assert.That((await _servers.MustSshAsync(1, "cat /tmp/shop-after-deploy")).Trim(), Is.EqualTo(_shas["v5"]));
    }

    [Test, Order(4)]
    public async Task SecondDeployWhileOneRuns_IsRefusedNamingTheHolder()
    {
        WriteConfig(webEnv: "      START_DELAY: \"3\"");
        await CommitAsync("v6");

        var secondStarted = new TaskCompletionSource();
        var first = _podlift.RunAsync(["deploy"], started: null, onOutputLine: line =>
        {
            if (line.StartsWith("Starting shop-web-", StringComparison.Ordinal)) secondStarted.TrySetResult();
        });
        await secondStarted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var second = await _podlift.RunAsync("deploy", "--skip-build");
        var firstResult = await first;

        Assert.That(second.ExitCode, Is.EqualTo(4), second.All);
        Assert.That(second.Error, Does.Contain("already running"));
        Assert.That(second.Error, Does.Contain(_shas["v6"]).And.Contain("e2e tester"), "names what holds the lock and who");
        Assert.That(second.Output, Does.Not.Contain("Transfer"), "refused before the image is pushed or sent");
        Assert.That(firstResult.ExitCode, Is.EqualTo(0), firstResult.All);
        Assert.That(await ServedAsync(), Is.EqualTo("v6"));
    }

    [Test, Order(5)]
    public async Task CliKilledMidDeploy_AttachPrintsTheOutcome()
    {
        await CommitAsync("v7");
        var killed = await RunAndActAsync("Starting shop-web-", cli =>
        {
            cli.Kill(entireProcessTree: true);
            return Task.CompletedTask;
        });
        Assert.That(killed.ExitCode, Is.Not.EqualTo(0));

        var attach = await RetryAsync(() => _podlift.RunAsync("attach"), r => r.Output.Contains("finished successfully"));
        Assert.That(attach.ExitCode, Is.EqualTo(0), attach.All);
        Assert.That(attach.Output, Does.Contain("[5/7] Start containers").And.Contain("[7/7] Cleanup"), "the whole deploy is replayed");
        Assert.That(await ServedAsync(), Is.EqualTo("v7"));
        Assert.That((await _podlift.RunAsync("ps")).Output, Does.Match($@"web\s+{_shas["v7"]}\s+1/1\s+healthy"));
    }

    [Test, Order(6)]
    public async Task AgentKilledDuringHealthChecks_OldVersionKeepsServing_AndTheNextDeployWorks()
    {
        await CommitAsync("v8");
        await using var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/version"));
        var deploy = await RunAndActAsync("Starting shop-web-", _ => KillAgent());
        await WaitForAgentAsync();
        var report = await load.StopAsync();

        Assert.That(deploy.ExitCode, Is.EqualTo(5), deploy.All);
        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(await ServedAsync(), Is.EqualTo("v7"));
        Assert.That(await StateCurrentAsync(), Is.EqualTo(_shas["v7"]));
        Assert.That(await _servers.MustSshAsync(1, "docker ps --format '{{.Names}}'"), Does.Not.Contain(_shas["v8"]), "the interrupted deploy's containers are gone");
        var attach = await _podlift.RunAsync("attach");
        Assert.That(attach.ExitCode, Is.EqualTo(4), attach.All);
        Assert.That(attach.Error, Does.Contain("interrupted"));

        await DeployAsync();
        Assert.That(await ServedAsync(), Is.EqualTo("v8"));
    }

    [Test, Order(7)]
    public async Task AgentKilledDuringDrain_FinishesTheSwitchWithoutDroppingTheInFlightRequest()
    {
        await CommitAsync("v9");
        await using var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/version"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Task<string>? slow = null;
        Task? killing = null;

        // the slow request starts on the old version while the new one boots, so it is in flight at the switch
        var deploy = await _podlift.RunAsync(["deploy"], started: null, onOutputLine: line =>
        {
            if (line.StartsWith("Starting shop-web-", StringComparison.Ordinal)) slow ??= http.GetStringAsync(new Uri(_servers.Http(1), "/cgi-bin/slow?8"));
            if (line.StartsWith("Waiting up to", StringComparison.Ordinal)) killing ??= KillAgent();
        });
        Assert.That(killing, Is.Not.Null, "the deploy reached its drain");
        await killing!;
        await WaitForAgentAsync();
        var slowAnswer = await slow!;
        var report = await load.StopAsync();

        Assert.That(deploy.ExitCode, Is.EqualTo(5), deploy.All);
        Assert.That(slowAnswer, Does.Contain("slow done after 8s by v8"), "the request in flight on the old version completed");
        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(await ServedAsync(), Is.EqualTo("v9"));
        Assert.That(await StateCurrentAsync(), Is.EqualTo(_shas["v9"]), "the restarted agent adopted the version nginx routes to");
        Assert.That(await _servers.MustSshAsync(1, "docker ps --format '{{.Names}}'"), Does.Not.Contain($"shop-web-{_shas["v8"]}"), "the old version was stopped");

        WriteConfig();
        await CommitAsync("v10");
        await DeployAsync();
        Assert.That(await ServedAsync(), Is.EqualTo("v10"));
    }

    [Test, Order(8)]
    public async Task LostStateFile_IsRebuiltFromContainerLabels()
    {
        await _servers.MustSshAsync(1, "rm /var/lib/podlift/shop/state.json");

        var ps = await _podlift.RunAsync("ps");

        Assert.That(ps.ExitCode, Is.EqualTo(0), ps.All);
        Assert.That(ps.Output, Does.Match($@"web\s+{_shas["v10"]}\s+1/1\s+healthy"));
        Assert.That(ps.Output, Does.Contain("rebuilt it from container labels"));
        Assert.That((await _servers.SshAsync(1, "test -e /var/lib/podlift/shop/state.json")).ExitCode, Is.Not.EqualTo(0), "a read never writes");

        await _servers.MustSshAsync(1, "systemctl restart podlift-agent");
        await WaitForAgentAsync();
        Assert.That(await StateCurrentAsync(), Is.EqualTo(_shas["v10"]), "the restarted agent recorded what runs");
        Assert.That(await _servers.MustSshAsync(1, "stat -c %a /var/lib/podlift/shop/state.json"), Does.Contain("600"));
    }

    [Test, Order(9)]
    public async Task ImageHealthcheck_DecidesWhenNoHealthcheckIsConfigured()
    {
        WriteConfig(healthcheck: "");
        await CommitWithDockerHealthcheckAsync("v11", "/missing");

        var failing = await _podlift.RunAsync("deploy");

        Assert.That(failing.ExitCode, Is.EqualTo(4), failing.All);
        Assert.That(failing.Output, Does.Contain("the image's HEALTHCHECK reports unhealthy"));
        Assert.That(await ServedAsync(), Is.EqualTo("v10"));

        await CommitWithDockerHealthcheckAsync("v12", "/health");
        await DeployAsync();
        Assert.That(await ServedAsync(), Is.EqualTo("v12"));
        var web = (await _servers.MustSshAsync(1, "docker ps --filter label=podlift.role=web --format '{{.Names}}'")).Trim();
        Assert.That((await _servers.MustSshAsync(1, $"docker inspect -f '{{{{.State.Health.Status}}}}' {web}")).Trim(), Is.EqualTo("healthy"));
    }

    [Test, Order(10)]
    public async Task OldVersionsBeyondRetain_ArePruned()
    {
        var versions = (await _servers.MustSshAsync(1, "docker ps -a --filter label=podlift.role=web --format '{{.Label \"podlift.version\"}}' | sort -u"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(versions, Has.Length.LessThanOrEqualTo(1 + 3), $"current + retain (3) versions at most: {string.Join(", ", versions)}");
        Assert.That(versions, Does.Contain(_shas["v12"]));
    }

    [Test, Order(11)]
    public async Task VersionThatDegradesOnceLive_IsRolledBackByTheAgent_AndAHealthyOneIsVerified()
    {
        WriteConfig(verify: "verify: { window: 40s, max_error_rate: 5%, min_requests: 20 }");
        _app.WriteFile("www/fail-after", "21\n"); // healthy at the check, failing about 20 s after it went live
        var degrading = await CommitAsync("v13");

        await using (var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/cgi-bin/whoami")))
        {
            var deploy = await _podlift.RunAsync("deploy");
            var report = await load.StopAsync();

            Assert.That(deploy.ExitCode, Is.EqualTo(4), deploy.All);
            Assert.That(deploy.All, Does.Contain($"{degrading} was rolled back to {_shas["v12"]} by its agent"));
            Assert.That(await ServedAsync(), Is.EqualTo("v12"));
            Assert.That(report.Failed, Is.GreaterThan(0), "the new version failed requests before it was rolled back");
            Assert.That(report.Failures, Has.All.Contains("500 failing"), "only the new version's own answers failed, never the switch: " + report);
        }
        var status = await _podlift.RunAsync("status");
        Assert.That(status.Output, Does.Match($"{degrading}.*reverted"), status.All);

        _app.DeleteFile("www/fail-after");
        var healthy = await CommitAsync("v14");
        await using (var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/cgi-bin/whoami")))
        {
            var deploy = await _podlift.RunAsync("deploy");
            var report = await load.StopAsync();

            Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
            Assert.That(deploy.Output, Does.Contain("Verified over"));
            Assert.That(await ServedAsync(), Is.EqualTo("v14"));
            Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        }
        Assert.That(await StateCurrentAsync(), Is.EqualTo(healthy));
        WriteConfig();
    }

    [Test, Order(12)]
    public async Task Canary_TakesItsShareOfFreshClients_KeepsEachClientOnItsSide_AndPromoteAndRemovalDropNoRequest()
    {
        var stable = _shas["v14"];
        var canary = await CommitAsync("v15");
        await using (var load = LoadGenerator.StartFreshClients(new Uri(_servers.Http(1), "/version")))
        {
            var deploy = await _podlift.RunAsync("deploy", "--canary", "20%");
            var report = await load.StopAsync();
            Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
            Assert.That(deploy.Output, Does.Contain("Canary serving!").And.Contain($"Beside:   {stable}"));
            Assert.That(report.Failed, Is.EqualTo(0), "through the canary's start and split: " + report);
        }

        var split = await LoadGenerator.FreshClientsForAsync(new Uri(_servers.Http(1), "/version"), TimeSpan.FromSeconds(8));
        TestContext.Out.WriteLine($"canary 20%: {split.Bodies.GetValueOrDefault("v15")} of {split.Sent} fresh clients on the canary ({split.ShareOf("v15"):P1}), {split.Failed} failed");
        Assert.That(split.Failed, Is.EqualTo(0), split.ToString());
        Assert.That(split.Bodies.Keys, Is.EquivalentTo(new[] { "v14", "v15" }));
        Assert.That(split.ShareOf("v15"), Is.EqualTo(0.2).Within(0.07), "fresh clients are split by the share asked");
        var sides = await ClientSidesAsync();
        Assert.That(sides, Has.All.Matches<IReadOnlyList<string>>(answers => answers.Distinct().Count() == 1), "a client with the cookie keeps its side");
        Assert.That(sides.Select(s => s[0]).Distinct(), Is.EquivalentTo(new[] { "v14", "v15" }), "and clients land on both sides");

        var status = await _podlift.RunAsync("status");
        Assert.That(status.Output, Does.Contain($"Canary:   {canary}").And.Contain("for 20% of fresh clients"), status.All);
        Assert.That((await _podlift.RunAsync("ps")).Output, Does.Match($@"web\s+{canary}\s+1/1\s+healthy \(canary, 20%\)"));
        var preview = await _podlift.RunAsync("--dry-run", "promote");
        Assert.That(preview.ExitCode, Is.EqualTo(0), preview.All);
        Assert.That(preview.Output, Does.Contain("[2/3] Updating nginx").And.Contain("[3/3] Stopping the old containers"), "the promotion's plan, as the agent would run it");
        Assert.That((await _podlift.RunAsync("status")).Output, Does.Contain($"Canary:   {canary}"), "a dry run changes nothing");
        var another = await _podlift.RunAsync("deploy");
        Assert.That(another.ExitCode, Is.EqualTo(3), another.All);
        Assert.That(another.Error, Does.Contain($"a canary of {canary} serves 20% of fresh clients").And.Contain("podlift promote"));

        await using (var load = LoadGenerator.StartFreshClients(new Uri(_servers.Http(1), "/version")))
        {
            var promote = await _podlift.RunAsync("promote");
            var report = await load.StopAsync();
            TestContext.Out.WriteLine($"promote: {report}");
            Assert.That(promote.ExitCode, Is.EqualTo(0), promote.All);
            Assert.That(promote.Output, Does.Contain("Promotion successful!"));
            Assert.That(report.Failed, Is.EqualTo(0), "through the promotion: " + report);
        }
        Assert.That(await ServedToFreshClientsAsync(), Is.EqualTo(new[] { "v15" }));
        Assert.That(await StateCurrentAsync(), Is.EqualTo(canary));
        Assert.That(await _servers.MustSshAsync(1, "docker ps --filter label=podlift.role=worker --format '{{.Label \"podlift.version\"}}'"), Does.Contain(canary),
            "the worker changed at the promotion");
        Assert.That((await _servers.MustSshAsync(1, "cat /tmp/shop-after-deploy")).Trim(), Is.EqualTo(canary), "after_deploy ran at the promotion");

        var removed = await CommitAsync("v16");
        Assert.That((await _podlift.RunAsync("deploy", "--canary", "50%")).ExitCode, Is.EqualTo(0));
        await using (var load = LoadGenerator.StartFreshClients(new Uri(_servers.Http(1), "/version")))
        {
            var rollback = await _podlift.RunAsync("--json", "rollback");
            var report = await load.StopAsync();
            TestContext.Out.WriteLine($"canary removed: {report}");
            Assert.That(rollback.ExitCode, Is.EqualTo(0), rollback.All);
            Assert.That(rollback.Output, Does.Contain("\"event\":\"abort\""));
            Assert.That(report.Bodies.Keys, Does.Contain("v16"), "the canary served until it was removed");
            Assert.That(report.Failed, Is.EqualTo(0), "through the removal: " + report);
        }
        Assert.That(await ServedToFreshClientsAsync(), Is.EqualTo(new[] { "v15" }));
        Assert.That(await _servers.MustSshAsync(1, $"docker ps -a --filter label=podlift.version={removed} --format '{{{{.Names}}}}'"), Is.Empty, "a removed canary's containers go");
        Assert.That((await _podlift.RunAsync("status")).Output, Does.Match($@"deploy\s+{removed}\s+aborted"));
    }

    [Test, Order(13)]
    public async Task HeldCanary_AboveTheErrorRate_IsRemovedByTheAgent_AndAHealthyOneIsPromoted()
    {
        _app.WriteFile("www/fail-after", "0\n"); // healthy at its check (/health), whoami answers 500 from the start
        var failing = await CommitAsync("v17");
        await using (var load = LoadGenerator.StartFreshClients(new Uri(_servers.Http(1), "/cgi-bin/whoami")))
        {
            var deploy = await _podlift.RunAsync("deploy", "--canary", "50%", "--canary-hold", "30s", "--max-error-rate", "5%");
            var report = await load.StopAsync();
            TestContext.Out.WriteLine($"held canary, failing: {report}");
            Assert.That(deploy.ExitCode, Is.EqualTo(4), deploy.All);
            Assert.That(deploy.All, Does.Contain($"the canary {failing} was removed by its agent"));
            Assert.That(report.Failed, Is.GreaterThan(0), "the canary failed requests before it was removed");
            Assert.That(report.Failures, Has.All.Contains("500 failing"), "only the canary's own answers failed, never the split or its removal: " + report);
        }
        Assert.That(await ServedToFreshClientsAsync(), Is.EqualTo(new[] { "v15" }));

        _app.DeleteFile("www/fail-after");
        var healthy = await CommitAsync("v18");
        await using (var load = LoadGenerator.StartFreshClients(new Uri(_servers.Http(1), "/cgi-bin/whoami")))
        {
            var deploy = await _podlift.RunAsync("deploy", "--canary", "50%", "--canary-hold", "10s");
            var report = await load.StopAsync();
            TestContext.Out.WriteLine($"held canary, healthy: {report}");
            Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
            Assert.That(deploy.Output, Does.Contain("Canary held and promoted"));
            Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        }
        Assert.That(await ServedToFreshClientsAsync(), Is.EqualTo(new[] { "v18" }));
        Assert.That(await StateCurrentAsync(), Is.EqualTo(healthy));
    }

    /// <summary>
    /// A canary's hold outlives its agent: killed while it watched (the deploy loses its connection), the agent takes the hold up
    /// again once systemd restarted it, counting what nginx logged meanwhile, and promotes the canary; `podlift attach` follows
    /// that. Before, the hold was lost: the canary served its share until someone ran promote or rollback.
    /// </summary>
    [Test, Order(14)]
    public async Task HeldCanary_WhoseAgentIsKilledDuringTheHold_IsPromotedByTheRestartedAgent_AndAttachFollowsIt()
    {
        var healthy = await CommitAsync("v19");
        ShellResult deploy, attach;
        LoadReport report;
        await using (var load = LoadGenerator.StartFreshClients(new Uri(_servers.Http(1), "/cgi-bin/whoami")))
        {
            deploy = await RunAndActAsync("Watching the canary", _ => KillAgent(), ["deploy", "--canary", "50%", "--canary-hold", "15s"]);
            await WaitForAgentAsync();
            attach = await _podlift.RunAsync("attach");
            report = await load.StopAsync();
        }
        TestContext.Out.WriteLine($"held canary, agent killed: {report}");

        Assert.That(deploy.ExitCode, Is.EqualTo(5), deploy.All);
        Assert.That(deploy.All, Does.Contain("podlift attach"));
        Assert.That(attach.ExitCode, Is.EqualTo(0), attach.All);
        Assert.That(attach.Output, Does.Contain("The agent restarted during the canary's hold").And.Contain("Canary held"));
        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(await ServedToFreshClientsAsync(), Is.EqualTo(new[] { "v19" }));
        Assert.That(await StateCurrentAsync(), Is.EqualTo(healthy));
    }

    /// <summary>Clients that keep their cookie, each asking ten times, until both sides of a canary were seen (at most 40).</summary>
    private async Task<List<IReadOnlyList<string>>> ClientSidesAsync()
    {
        var clients = new List<IReadOnlyList<string>>();
        while (clients.Count < 40 && clients.Select(c => c[0]).Distinct().Count() < 2)
        {
            using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new System.Net.CookieContainer() });
            var answers = new List<string>();
            for (var i = 0; i < 10; i++) answers.Add((await http.GetStringAsync(new Uri(_servers.Http(1), "/version"))).Trim());
            clients.Add(answers);
        }
        return clients;
    }

    /// <summary>The versions twenty fresh clients are served.</summary>
    private async Task<IReadOnlyList<string>> ServedToFreshClientsAsync()
    {
        var served = new HashSet<string>();
        for (var i = 0; i < 20; i++) served.Add(await ServedAsync());
        return served.Order().ToList();
    }

    private async Task CommitWithDockerHealthcheckAsync(string version, string path)
    {
        var dockerfile = Path.Combine(_app.Directory, "Dockerfile");
        var lines = File.ReadAllLines(dockerfile).Where(l => !l.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        File.WriteAllLines(dockerfile, lines.Append(
            $"HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD [\"/bin/busybox\", \"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8000{path}\"]"));
        await CommitAsync(version);
    }

    private string _storeContainerId = "";

    private async Task StoreDataAsync()
    {
        await _servers.MustSshAsync(1, "docker exec shop-store /bin/busybox sh -c 'echo kept > /data/data.txt'");
        _storeContainerId = await StoreContainerIdAsync();
    }

    private async Task<string> StoreContainerIdAsync() => (await _servers.MustSshAsync(1, "docker inspect -f '{{.Id}}' shop-store")).Trim();

    private async Task DeployAsync()
    {
        var deploy = await _podlift.RunAsync("deploy");
        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
    }

    private async Task<string> ServedAsync()
    {
        using var http = new HttpClient();
        return (await http.GetStringAsync(new Uri(_servers.Http(1), "/version"))).Trim();
    }

    private async Task<string> ContainersAsync() =>
        await _servers.MustSshAsync(1, "docker ps -a --format '{{.ID}} {{.Names}} {{.State}}' | sort");

    private async Task<string> StateCurrentAsync()
    {
        var state = await _servers.MustSshAsync(1, "cat /var/lib/podlift/shop/state.json");
        return CurrentVersion().Match(state).Groups[1].Value;
    }

    [GeneratedRegex("\"current\":\\s*\\{\\s*\"version\":\\s*\"([0-9a-f]+)\"")]
    private static partial Regex CurrentVersion();

    private Task KillAgent() => _servers.MustSshAsync(1, "systemctl kill -s KILL podlift-agent");

    private async Task WaitForAgentAsync()
    {
        await RetryAsync(() => _servers.SshAsync(1, "systemctl is-active podlift-agent && test -S /run/podlift/agent.sock"), r => r.ExitCode == 0);
        await RetryAsync(() => _podlift.RunAsync("ps"), r => r.ExitCode == 0);
    }

    /// <summary>Runs `podlift deploy` (or <paramref name="command"/>) and acts once when a line starting with <paramref name="trigger"/> appears.</summary>
    private async Task<ShellResult> RunAndActAsync(string trigger, Func<Process, Task> act, string[]? command = null)
    {
        Process? cli = null;
        Task? acting = null;
        var result = await _podlift.RunAsync(command ?? ["deploy"], started: p => cli = p, onOutputLine: line =>
        {
            if (line.StartsWith(trigger, StringComparison.Ordinal) && acting is null) acting = act(cli!);
        });
        Assert.That(acting, Is.Not.Null, $"`{trigger}` never appeared");
        await acting!;
        return result;
    }

    private static async Task<ShellResult> RetryAsync(Func<Task<ShellResult>> attempt, Func<ShellResult, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var result = await attempt();
            if (done(result) || DateTime.UtcNow > deadline) return result;
            await Task.Delay(500);
        }
    }

}

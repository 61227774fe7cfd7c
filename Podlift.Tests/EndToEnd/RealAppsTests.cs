using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// The app zoo on one real server: a Python aiohttp app with a real PostgreSQL 15 (migrations through
/// the release step and the guide's `docker exec myapp-web-1 python manage.py migrate` hook, uploads,
/// WebSockets, SSE, long requests, writes) and a static site whose own container runs nginx, side by
/// side behind the server's nginx. Reads and writes run through every deploy, rollback and failed
/// release, counted by the project's load generator and by hey: 0 failed, and every acknowledged write stored.
/// </summary>
[TestFixture("bookworm", "e2ezo", "10.127.0", 18480)]
[Category("e2e")]
[NonParallelizable]
public sealed partial class RealAppsTests(string suite, string prefix, string subnet, int httpPortBase)
    : ServerFixture(suite, prefix, subnet, httpPortBase)
{
    private const string SiteDomain = "static.test";
    private ZooImages _zoo = null!;
    private AppRepository _site = null!;
    private PodliftRunner _sitePodlift = null!;
    private readonly string _dbPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private readonly Dictionary<string, string> _shas = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(150) };

    [OneTimeSetUp]
    public async Task SetUpFixtureAsync()
    {
        _zoo = await ZooImages.BuildAsync();
        await StartAsync(1, "unused");
        _app.Dispose();
        _app = await _zoo.RepositoryAsync("webapp", "myapp");
        _podlift = new PodliftRunner(_app, _servers.SshConfig);
        _site = await _zoo.RepositoryAsync("static-site", "site");
        _sitePodlift = new PodliftRunner(_site, _servers.SshConfig);

        _app.WriteFile(".gitignore", ".env\n");
        _app.WriteFile(".env", $"DB_PASSWORD={_dbPassword}\n");
        WriteAppConfig(trustedProxies: null);
        _app.WriteFile("VERSION", "v1\n");
        _shas["v1"] = await _app.CommitAllAsync("v1");
        _site.WriteConfig($"""
            service: site
            image: site
            domain: {SiteDomain}
            servers:
              - host: {_servers.Ip(1)}
            services:
              web:
                port: 8000
                healthcheck: {"{"} path: /health, interval: 500ms {"}"}
            """);
        await InstallAgentAsync();
    }

    [OneTimeTearDown]
    public void DisposeRepositories()
    {
        _site?.Dispose();
        _http.Dispose();
    }

    private void WriteAppConfig(string? trustedProxies) => _app.WriteConfig($"""
        service: myapp
        image: myapp
        servers:
          - host: {_servers.Ip(1)}
        dependencies:
          postgres:
            image: {_zoo.Postgres}
            volume: myapp_pg:/var/lib/postgresql/data
            env:
              POSTGRES_PASSWORD: ${"{"}DB_PASSWORD{"}"}
              POSTGRES_USER: app
              POSTGRES_DB: app
        services:
          web:
            port: 8000
            replicas: 2
            healthcheck: {"{"} path: /health, timeout: 60s, interval: 500ms {"}"}
            env:
              DATABASE_URL: postgres://app:${"{"}DB_PASSWORD{"}"}@postgres:5432/app
        release: python manage.py migrate
        hooks:
          after_deploy:
            - docker exec myapp-web-1 python manage.py migrate
        {(trustedProxies is null ? "" : $"proxy:\n  trusted_proxies: [{trustedProxies}]\n")}drain: 10s
        """);

    private Uri Url(string path) => new(_servers.Http(1), path);

    [Test, Order(1)]
    public async Task FirstDeploy_RunsTheReleaseBeforeTraffic_AndTheGuidesHookReachesReplicaOneByItsStableName()
    {
        var deploy = await _podlift.RunAsync("deploy");

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(deploy.Output, Does.Contain("Running the release command"));
        Assert.That(deploy.Output, Does.Match(@"✓ release: python manage\.py migrate \("));
        Assert.That(deploy.Output, Does.Contain("✓ docker exec myapp-web-1 python manage.py migrate ("), "the guide's hook, verbatim, works");
        Assert.That(deploy.Output.IndexOf("release: python manage.py migrate", StringComparison.Ordinal),
            Is.LessThan(deploy.Output.IndexOf("Traffic switching", StringComparison.Ordinal)), "the release ran before traffic moved");

        var names = (await _servers.MustSshAsync(1, "docker ps --format '{{.Names}}'")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(names, Is.SupersetOf(new[] { "myapp-web-1", "myapp-web-2", "myapp-postgres" }), "the live containers carry stable names");
        Assert.That((await _servers.MustSshAsync(1, "docker exec myapp-web-1 cat /app/VERSION")).Trim(), Is.EqualTo("v1"),
            "a person at the server's shell reaches the live version by the same name");
        Assert.That(await MigrationsAsync(), Is.EqualTo(2), "the release command and the after_deploy hook each ran once");
        Assert.That(await GetAsync("/version"), Is.EqualTo("v1"));
    }

    [Test, Order(2)]
    public async Task WhatRealAppsSend_PassesThroughPodliftsNginx()
    {
        // a 20 MB upload: nginx's own default (1 MB) answers 413
        var body = RandomNumberGenerator.GetBytes(20 << 20);
        using (var upload = await _http.PostAsync(Url("/upload"), new ByteArrayContent(body)))
        {
            var answer = await upload.Content.ReadAsStringAsync();
            TestContext.Progress.WriteLine($"upload: {body.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(body))}; the app answered {(int)upload.StatusCode} {answer.Trim()}");
            Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer);
            Assert.That(answer, Does.Contain($"\"bytes\": {body.Length}").And.Contain(Convert.ToHexStringLower(SHA256.HashData(body))));
        }

        // a WebSocket: the handshake's Upgrade reaches the app
        using (var socket = await ConnectWebSocketAsync())
        {
            Assert.That(await ReceiveAsync(socket), Is.EqualTo("hello v1"));
            await SendAsync(socket, "ping through nginx");
            var echo = await ReceiveAsync(socket);
            TestContext.Progress.WriteLine($"websocket echo: {echo}");
            Assert.That(echo, Is.EqualTo("v1: ping through nginx"));
        }

        // server-sent events arrive as they are sent, not all at the end
        var arrivals = await ReadEventsAsync("/sse?count=5&interval=0.4");
        TestContext.Progress.WriteLine($"sse: {string.Join(", ", arrivals.Select(a => $"{a.Data} at {a.At.TotalSeconds:0.0}s"))}");
        Assert.That(arrivals.Select(a => a.Data), Is.EqualTo(Enumerable.Range(1, 5).Select(i => $"v1 {i}")));
        Assert.That(arrivals[^1].At - arrivals[0].At, Is.GreaterThan(TimeSpan.FromSeconds(1.2)), "events streamed one by one");

        // the app's own 503s are its answer, not a sign every replica is down
        for (var i = 0; i < 12; i++)
            Assert.That((await _http.GetAsync(Url("/unavailable"))).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await GetAsync("/version"), Is.EqualTo("v1"), "no 502 \"no live upstreams\" after the app said 503");

        // a client cannot make up its own address for the app
        var headers = await HeadersAsync(spoofed: "203.0.113.7");
        Assert.That(headers["X-Forwarded-For"], Is.EqualTo(_servers.Gateway), "without trusted_proxies the connection's address, never the client's header");
        Assert.That(headers["X-Real-IP"], Is.EqualTo(_servers.Gateway));
    }

    [Test, Order(3)]
    public async Task StaticSiteRunningItsOwnNginx_DeploysUnderLoad_WhileAnotherAppsLongRequestFinishes()
    {
        // a 90 s request of myapp: nginx's default 60 s read timeout would cut it; its old nginx worker
        // must not make the site's drains wait
        var clock = Stopwatch.StartNew();
        var slow = _http.GetStringAsync(Url("/slow?seconds=90"));

        _site.WriteFile("www/version", "s1\n");
        await _site.CommitAllAsync("s1");
        var first = await _sitePodlift.RunAsync("deploy");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.All);

        await using var load = LoadGenerator.StartForHost(new Uri(_servers.Http(1), "/version"), SiteDomain);
        foreach (var version in new[] { "s2", "s3" })
        {
            _site.WriteFile("www/version", version + "\n");
            await _site.CommitAllAsync(version);
            var deploy = await _sitePodlift.RunAsync("deploy");
            Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
            var drained = DrainedIn().Match(deploy.Output);
            Assert.That(drained.Success, Is.True, deploy.All);
            Assert.That(double.Parse(drained.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.LessThan(5),
                "another app's long request does not hold this app's drain (its bound is 30 s)");
        }
        var report = await load.StopAsync();

        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(report.Bodies.Keys, Is.SupersetOf(new[] { "s2", "s3" }));
        Assert.That(await GetAsync("/version", SiteDomain), Is.EqualTo("s3"));
        Assert.That(await GetAsync("/version"), Is.EqualTo("v1"), "the default site is still myapp");

        var slept = await slow;
        TestContext.Progress.WriteLine($"long request: \"{slept.Trim()}\" after {clock.Elapsed.TotalSeconds:0.0}s");
        Assert.That(slept.Trim(), Is.EqualTo("slept 90"));
    }

    [Test, Order(4)]
    public async Task DeployWhoseCodeNeedsItsMigration_UnderReadsWritesAndAWebSocket_LosesNothing()
    {
        // v2 writes a column only its migration adds: a write reaching v2 before the release ran would fail
        _app.WriteFile("VERSION", "v2\n");
        _app.WriteFile("REQUIRES_COLUMN", "");
        WriteAppConfig(trustedProxies: $"\"{_servers.Gateway}\"");
        _shas["v2"] = await _app.CommitAllAsync("v2: needs writes.note");
        using var socket = await ConnectWebSocketAsync();
        Assert.That(await ReceiveAsync(socket), Is.EqualTo("hello v1"));

        var (deploy, reads, writes, hey) = await UnderLoadAsync(() => _podlift.RunAsync("deploy"));

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        AssertNoFailure(reads, writes, hey);
        AssertReceipt(deploy);
        Assert.That(reads.Bodies.Keys, Is.SupersetOf(new[] { "v1", "v2" }));
        Assert.That(await GetAsync("/version"), Is.EqualTo("v2"));
        Assert.That((await _servers.MustSshAsync(1, "docker exec myapp-web-1 cat /app/VERSION")).Trim(), Is.EqualTo("v2"));

        // the socket connected to v1 may be closed when v1 stops after the drain; a new one reaches v2
        var old = await ReceiveOrClosedAsync(socket);
        TestContext.Progress.WriteLine($"websocket across the deploy: {old}");
        Assert.That(old, Is.EqualTo("closed by the server").Or.EqualTo("open"));
        using var again = await ConnectWebSocketAsync();
        Assert.That(await ReceiveAsync(again), Is.EqualTo("hello v2"));

        var headers = await HeadersAsync(spoofed: "203.0.113.7");
        Assert.That(headers["X-Forwarded-For"], Is.EqualTo("203.0.113.7"), "behind a trusted proxy, the client it names");
    }

    [Test, Order(5)]
    public async Task FailedRelease_ExitsFour_ShowsItsOutput_AndSwitchesNothing()
    {
        _app.WriteFile("VERSION", "v3\n");
        _app.WriteFile("MIGRATION_FAILS", "");
        _shas["v3"] = await _app.CommitAllAsync("v3: a migration that fails");
        var migrations = await MigrationsAsync();

        var (deploy, reads, writes, hey) = await UnderLoadAsync(() => _podlift.RunAsync("deploy"));

        Assert.That(deploy.ExitCode, Is.EqualTo(4), deploy.All);
        Assert.That(deploy.All, Does.Contain("the release command `python manage.py migrate` failed (exit 1); nothing was switched"));
        Assert.That(deploy.All, Does.Contain("  | ").And.Contain("MIGRATION_FAILS"), "the command's own output is shown");
        Assert.That(deploy.All, Does.Contain("Old containers still running. No downtime occurred."));
        AssertNoFailure(reads, writes, hey);
        Assert.That(reads.Bodies.Keys, Is.EqualTo(new[] { "v2" }), "only the old version ever answered");
        Assert.That(await MigrationsAsync(), Is.EqualTo(migrations), "the failed migration changed nothing");
        var names = await _servers.MustSshAsync(1, "docker ps -a --format '{{.Names}}'");
        Assert.That(names, Does.Not.Contain(_shas["v3"]).And.Not.Contain("release"), "the new containers and the release container are gone");
        Assert.That((await _servers.MustSshAsync(1, "docker exec myapp-web-1 cat /app/VERSION")).Trim(), Is.EqualTo("v2"));
        _app.DeleteFile("MIGRATION_FAILS");
    }

    [Test, Order(6)]
    public async Task Rollback_UnderReadsAndWrites_RunsNoRelease_AndTheStableNameFollows()
    {
        var migrations = await MigrationsAsync();

        var (rollback, reads, writes, hey) = await UnderLoadAsync(() => _podlift.RunAsync("rollback"));

        Assert.That(rollback.ExitCode, Is.EqualTo(0), rollback.All);
        Assert.That(rollback.Output, Does.Contain($"Found: {_shas["v1"]}"));
        AssertNoFailure(reads, writes, hey);
        AssertReceipt(rollback);
        Assert.That(await GetAsync("/version"), Is.EqualTo("v1"));
        Assert.That(await MigrationsAsync(), Is.EqualTo(migrations), "a rollback runs no release command");
        Assert.That((await _servers.MustSshAsync(1, "docker exec myapp-web-1 cat /app/VERSION")).Trim(), Is.EqualTo("v1"));
        Assert.That(await _servers.MustSshAsync(1, "docker ps -a --format '{{.Names}}'"), Does.Contain($"myapp-web-{_shas["v2"]}-1"),
            "the superseded version has its versioned name back");
    }

    [Test, Order(7)]
    public async Task ASecondAppWithoutADomain_IsRefusedAtValidate_NamingBoth_AndDeployTouchesNothing()
    {
        using var blog = await _zoo.RepositoryAsync("static-site", "blog");
        blog.WriteConfig($"""
            service: blog
            image: blog
            servers:
              - host: {_servers.Ip(1)}
            services:
              web:
                port: 8000
            """);
        await blog.CommitAllAsync("blog");
        var podlift = new PodliftRunner(blog, _servers.SshConfig);

        var validate = await podlift.RunAsync("validate");
        var deploy = await podlift.RunAsync("deploy");

        Assert.That(validate.ExitCode, Is.EqualTo(3), validate.All);
        Assert.That(validate.Output, Does.Contain("✗   nginx: myapp is already this server's default site (neither blog nor myapp has `domain:`)"));
        Assert.That(deploy.ExitCode, Is.EqualTo(3), deploy.All);
        Assert.That(deploy.All, Does.Contain("myapp is already this server's default site"));
        Assert.That(deploy.Output, Does.Not.Contain("[2/7]"), "refused before the build");
        Assert.That(await _servers.MustSshAsync(1, "docker ps -a --format '{{.Names}}'"), Does.Not.Contain("blog"));
        Assert.That(await GetAsync("/version"), Is.EqualTo("v1"));
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Runs <paramref name="operation"/> with reads (ours and hey's) and writes going on; stops them after it.</summary>
    private async Task<(ShellResult Result, LoadReport Reads, LoadReport Writes, HeyReport Hey)> UnderLoadAsync(Func<Task<ShellResult>> operation)
    {
        var rowsBefore = await RowsAsync();
        await using var reads = LoadGenerator.Start(Url("/version"), workers: 4);
        await using var writes = LoadGenerator.StartWrites(Url("/write"));
        await using var hey = Hey.Start(Url("/version"));
        await Task.Delay(1500);
        var result = await operation();
        await Task.Delay(1000);
        var (readReport, writeReport, heyReport) = (await reads.StopAsync(), await writes.StopAsync(), await hey.StopAsync());
        var stored = await RowsAsync() - rowsBefore;
        TestContext.Progress.WriteLine($"writes: {writes.Acknowledged} acknowledged, {stored} stored, {writeReport.Failed} failed");
        Assert.That(stored, Is.EqualTo(writes.Acknowledged), "every acknowledged write is stored, and nothing else was");
        return (result, readReport, writeReport, heyReport);
    }

    private static void AssertNoFailure(LoadReport reads, LoadReport writes, HeyReport hey)
    {
        Assert.That(reads.Failed, Is.EqualTo(0), reads.ToString());
        Assert.That(writes.Failed, Is.EqualTo(0), writes.ToString());
        Assert.That(writes.Sent, Is.GreaterThan(20), "writes went on through the whole operation");
        Assert.That(hey.Failed, Is.EqualTo(0), hey.ToString());
        Assert.That(hey.Responses, Is.GreaterThan(100));
    }

    /// <summary>podlift's own receipt of the switch window, from nginx's log: traffic went through it, and none of it failed.</summary>
    private static void AssertReceipt(ShellResult result)
    {
        var receipt = Receipt().Match(result.Output);
        Assert.That(receipt.Success, Is.True, "the summary has the switch window's receipt:\n" + result.Output);
        TestContext.Progress.WriteLine($"podlift's receipt: {receipt.Value}");
        Assert.That(long.Parse(receipt.Groups[1].Value.Replace(",", "")), Is.GreaterThan(10), "requests went through the switch window");
        Assert.That(int.Parse(receipt.Groups[2].Value), Is.EqualTo(0), "nginx answered no request with a 5xx while traffic moved");
    }

    [GeneratedRegex(@"Switch:\s+([\d,]+) requests, (\d+) errors, (\d+) failed upstream attempts")]
    private static partial Regex Receipt();

    private async Task<int> RowsAsync() => int.Parse(await GetAsync("/count"));

    private async Task<int> MigrationsAsync()
    {
        var count = await _podlift.RunAsync("exec", "postgres", "psql", "-U", "app", "-d", "app", "-tAc", "select count(*) from migrations");
        Assert.That(count.ExitCode, Is.EqualTo(0), count.All);
        return int.Parse(count.Output.Trim());
    }

    private async Task<string> GetAsync(string path, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(path));
        if (host is not null) request.Headers.Host = host;
        using var response = await _http.SendAsync(request);
        var body = (await response.Content.ReadAsStringAsync()).Trim();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {path}: {body}");
        return body;
    }

    private async Task<Dictionary<string, string>> HeadersAsync(string spoofed)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/headers"));
        request.Headers.Add("X-Forwarded-For", spoofed);
        request.Headers.Add("X-Forwarded-Proto", "https");
        var text = await (await _http.SendAsync(request)).Content.ReadAsStringAsync();
        TestContext.Progress.WriteLine($"the app saw: {text.Replace('\n', ';')}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p.ElementAtOrDefault(1) ?? "");
    }

    private async Task<List<(string Data, TimeSpan At)>> ReadEventsAsync(string path)
    {
        var clock = Stopwatch.StartNew();
        using var response = await _http.GetAsync(Url(path), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string, TimeSpan)>();
        while (await reader.ReadLineAsync() is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add((line["data: ".Length..], clock.Elapsed));
        return events;
    }

    private async Task<ClientWebSocket> ConnectWebSocketAsync()
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(Url("/ws")) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    /// <summary>"open" when the socket still echoes, "closed by the server" when it was closed with a close frame or a FIN.</summary>
    private static async Task<string> ReceiveOrClosedAsync(ClientWebSocket socket)
    {
        try
        {
            if (socket.State != WebSocketState.Open) return "closed by the server";
            await SendAsync(socket, "still there?");
            var buffer = new byte[4096];
            var received = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            return received.MessageType == WebSocketMessageType.Close ? "closed by the server" : "open";
        }
        catch (WebSocketException)
        {
            return "closed by the server";
        }
    }

    [GeneratedRegex(@"Connections drained \(([0-9.]+)s\)")]
    private static partial Regex DrainedIn();
}

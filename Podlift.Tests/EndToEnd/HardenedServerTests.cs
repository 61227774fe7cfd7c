namespace Podlift.Tests.EndToEnd;

/// <summary>
/// Servers configured as people configure them: sshd on port 2222 only, root login off, a `deploy` user
/// with sudo, reached by ssh aliases that resolve nowhere but in the ssh config (user and port there, not
/// in podlift.yml), the second server only through ProxyJump via the first. And a CI-style git remote
/// whose token changes on every run.
/// </summary>
[TestFixture("bookworm", "e2ehd", "10.131.0", 18880)]
[Category("e2e")]
[NonParallelizable]
public sealed class HardenedServerTests(string suite, string prefix, string subnet, int httpPortBase)
    : ServerFixture(suite, prefix, subnet, httpPortBase)
{
    private const string FirstToken = "ghp_FIRSTtoken0000000000000000000000";
    private const string SecondToken = "ghp_SECONDtoken000000000000000000000";

    [OneTimeSetUp]
    public async Task SetUpFixtureAsync()
    {
        await StartAsync(2, "hardy", profile: "hardened");
        _app.WriteConfig($"""
            service: hardy
            image: hardy
            servers:
              - host: {_servers.Alias(1)}
              - host: {_servers.Alias(2)}
            services:
              web:
                port: 8000
                healthcheck: {"{"} path: /health, timeout: 20s, interval: 500ms {"}"}
            hooks:
              after_deploy: ["echo home=$HOME user=$(id -un) heap_limit=[$DOTNET_GCHeapHardLimit] > /tmp/hardy-hook"]
            drain: 5s
            """);
        await _app.GitAsync("remote", "add", "origin", $"https://ci:{FirstToken}@git.example.com/acme/hardy.git");
        await _app.CommitVersionAsync("v1");
    }

    [Test, Order(1)]
    public async Task AgentInstall_LogsInAsTheSshConfigsUser_OnItsPort_ThroughTheJumpHost()
    {
        var install = await _podlift.RunAsync("agent", "install", "--verbose");

        Assert.That(install.ExitCode, Is.EqualTo(0), install.All);
        Assert.That(install.All, Does.Not.Contain(" -p 22").And.Not.Contain(" -l root"), "podlift.yml sets neither: the ssh config decides");
        foreach (var server in new[] { 1, 2 })
        {
            Assert.That((await _servers.MustRootAsync(server, "systemctl is-active podlift-agent")).Trim(), Is.EqualTo("active"));
            Assert.That(await _servers.MustRootAsync(server, "id -nG deploy"), Does.Contain("podlift"), "the login user reaches the agent's socket");
        }
    }

    [Test, Order(2)]
    public async Task Deploy_ToServersNamedByAliases_SendsTheAgentsRealAddresses_UnderLoad()
    {
        var deploy = await _podlift.RunAsync("deploy");
        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        await using var load = LoadGenerator.Start(new Uri(_servers.Http(1), "/version"));
        await _app.CommitVersionAsync("v2");
        var redeploy = await _podlift.RunAsync("deploy");
        var report = await load.StopAsync();

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(redeploy.ExitCode, Is.EqualTo(0), redeploy.All);
        Assert.That(deploy.Output, Does.Contain($"{_servers.Alias(1)} ({_servers.Ip(1)})").And.Contain($"{_servers.Alias(2)} ({_servers.Ip(2)})"),
            "both names shown: the ssh alias and the address the agents use");
        Assert.That(report.Bodies.Keys, Does.Contain("v2"));
        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        var upstream = await _servers.MustRootAsync(1, "cat /etc/nginx/conf.d/podlift-hardy.conf");
        Assert.That(upstream, Does.Contain($"server {_servers.Ip(2)}:"), "the primary balances to the second server by its address, not its alias");
        Assert.That(upstream, Does.Not.Contain($"server {_servers.Alias(2)}:"), "(the alias names it in a comment only)");
        var hook = (await _servers.MustRootAsync(1, "cat /tmp/hardy-hook")).Trim();
        Assert.That(hook, Does.StartWith("home=/root user=root"), "the hook runs with the server's own HOME, not this machine's");
        Assert.That(hook, Does.EndWith("heap_limit=[]"),
            "the agent's unit caps the agent's own .NET heap at 256 MB: a hook (a .NET migration) starts without that cap");
    }

    [Test, Order(3)]
    public async Task ACiTokenInTheGitRemote_NeverLeavesThisMachine_AndANewTokenIsTheSameProject()
    {
        await _app.GitAsync("remote", "set-url", "origin", $"https://ci:{SecondToken}@git.example.com/acme/hardy.git");
        await _app.CommitVersionAsync("v3");

        var deploy = await _podlift.RunAsync("deploy", "--verbose");
        var ps = await _podlift.RunAsync("status");

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(deploy.All + ps.All, Does.Not.Contain(SecondToken).And.Not.Contain(FirstToken));
        foreach (var server in new[] { 1, 2 })
        {
            var stored = await _servers.MustRootAsync(server, "cat /var/lib/podlift/hardy/state.json /var/lib/podlift/hardy/journal/*.json* 2>/dev/null; journalctl -u podlift-agent --no-pager");
            Assert.That(stored, Does.Not.Contain(SecondToken).And.Not.Contain(FirstToken), $"server {server} stores no token");
            Assert.That(stored, Does.Contain("git.example.com/acme/hardy"), "the project is recorded, without its credentials");
        }
    }

    [Test, Order(4)]
    public async Task DryRuns_OfSetupAndUninstall_ChangeNothing()
    {
        var setup = await _podlift.RunAsync("setup", "--dry-run");
        var uninstall = await _podlift.RunAsync("agent", "uninstall", "--dry-run");
        var exec = await _podlift.RunAsync("--dry-run", "exec", "web", "true");

        Assert.That(setup.ExitCode, Is.EqualTo(0), setup.All);
        Assert.That(uninstall.ExitCode, Is.EqualTo(0), uninstall.All);
        Assert.That(uninstall.Output, Does.Contain("would remove podlift-agent"));
        Assert.That((await _servers.MustRootAsync(2, "systemctl is-active podlift-agent")).Trim(), Is.EqualTo("active"), "still installed");
        Assert.That((await _servers.MustRootAsync(1, "sshd -T | grep -i '^port '")).Trim(), Is.EqualTo("port 2222"), "setup changed nothing in sshd");
        Assert.That(exec.ExitCode, Is.EqualTo(2), exec.All);
    }

    [Test, Order(5)]
    public async Task YourOwnSshConnectionSharing_IsJoined_AndTheNextCommandLogsInNoMore()
    {
        using var sockets = new Unit.TempDirectory();
        var config = sockets.Write("config", $"""
            Host *
              ControlMaster auto
              ControlPath {sockets.Path}/%C
              ControlPersist 60
            Include {_servers.SshConfig}
            """);
        var ownSockets = Path.Combine("/tmp", $"podlift-{Environment.UserName}");
        // a run's forward is <key>-<its pid>.agent: only this test's runs count, not other podlift runs on this machine
        var runs = new List<int>();
        void Started(System.Diagnostics.Process process) { lock (runs) runs.Add(process.Id); }
        bool OfTheseRuns(string socket) { lock (runs) return runs.Any(pid => socket.EndsWith($"-{pid}.agent", StringComparison.Ordinal)); }
        try
        {
            var ps = await _podlift.RunAsync(["ps", "--verbose"], started: Started, sshConfigOverride: config);
            Assert.That(ps.ExitCode, Is.EqualTo(0), ps.All);
            var masters = new[] { 1, 2 }.ToDictionary(server => server, server => MasterPid(server, config));
            Assert.That(masters.Values, Has.All.Not.Null, "podlift started the shared masters your config asks for, and they outlive it");
            var loginsBefore = await LoginsAsync();
            Assert.That(loginsBefore, Is.GreaterThan(0), "sshd's journal records the logins the test counts");

            await _app.CommitVersionAsync("v4");
            var deploy = await _podlift.RunAsync(["deploy", "--verbose"], started: Started, sshConfigOverride: config);

            Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
            Assert.That(deploy.All, Does.Contain($"{_servers.Alias(1)}: sharing your ssh connection at {sockets.Path}/")
                .And.Contain($"{_servers.Alias(2)}: sharing your ssh connection at {sockets.Path}/"));
            Assert.That((await _servers.MustRootAsync(1, "curl -fsS http://127.0.0.1/version")).Trim(), Is.EqualTo("v4"));
            foreach (var server in new[] { 1, 2 })
                Assert.That(MasterPid(server, config), Is.EqualTo(masters[server]), $"server {server}: the deploy went through the same master");
            Assert.That(await LoginsAsync(), Is.EqualTo(loginsBefore), "the deploy logged in to the first server no more");
            Assert.That(runs, Has.Count.EqualTo(2));
            Assert.That(AgentForwards(ownSockets).Where(OfTheseRuns), Is.Empty, "each run removes its socket");
            Assert.That(AgentListeners(ownSockets).Where(OfTheseRuns), Is.Empty, "and cancels its forward: the master listens there no more");
        }
        finally
        {
            foreach (var server in new[] { 1, 2 }) await Shell.RunAsync("ssh", ["-F", config, "-O", "exit", _servers.Alias(server)]);
        }
    }

    /// <summary>
    /// sshd turns off Nagle's algorithm on a connection only once a session on it runs a command; until then an answer of
    /// the agent that follows another within a round trip waits for this machine's delayed ACK (40 ms). podlift's own
    /// master opens one such session at its start, and lets it end before a command opens its own: on a server that
    /// allows one session per connection (MaxSessions 1), no command is refused its session (its ssh would log in again
    /// on a connection of its own). sshd at DEBUG2 logs the switch.
    /// </summary>
    [Test, Order(6)]
    public async Task PodliftsOwnConnection_HasSshdSendAtOnce_AndAServerOfOneSessionAConnectionTakesEveryCommand()
    {
        const string dropIn = "/etc/ssh/sshd_config.d/05-test-sessions.conf";
        await _servers.MustRootAsync(1, $"printf 'MaxSessions 1\\nLogLevel DEBUG2\\n' > {dropIn} && systemctl reload ssh && sleep 1");
        try
        {
            // installed first (a fresh install logs in again once the login user joined the agent's group), then counted
            var first = await _podlift.RunAsync("agent", "install");
            Assert.That(first.ExitCode, Is.EqualTo(0), first.All);
            var loginsBefore = await LoginsAsync();
            var install = await _podlift.RunAsync("agent", "install");
            Assert.That(install.ExitCode, Is.EqualTo(0), install.All);
            // a command whose session the server refuses does not fail: its ssh logs in on a connection of its own
            Assert.That(await LoginsAsync() - loginsBefore, Is.EqualTo(2),
                "install's commands went through its own connection to this server, the one session free for each: one login, and one for the jump to the second server");

            // after the journal's last entry so far: install's own connections ran commands
            var cursor = (await _servers.MustRootAsync(1, "journalctl -u ssh -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p'")).Trim();
            var ps = await _podlift.RunAsync("ps");
            Assert.That(ps.ExitCode, Is.EqualTo(0), ps.All);
            var journal = (await _servers.MustRootAsync(1, $"journalctl -u ssh --after-cursor='{cursor}' --no-pager")).Split('\n');
            // the connection of ps's own master is the one that forwarded the agent's socket (the jump host's forwards TCP)
            var agentConnections = journal.Where(line => line.Contains("new direct-streamlocal", StringComparison.Ordinal)).Select(SshdPid).ToHashSet();
            Assert.That(agentConnections, Has.Count.EqualTo(1), string.Join('\n', journal));
            Assert.That(journal.Where(line => agentConnections.Contains(SshdPid(line))), Has.Some.Contains("setting TCP_NODELAY"),
                "podlift ps runs no command of its own, yet sshd turned off Nagle's algorithm on its connection:\n" + string.Join('\n', journal));
        }
        finally
        {
            await _servers.MustRootAsync(1, $"rm -f {dropIn} && systemctl reload ssh");
        }
    }

    /// <summary>"... sshd[431]: debug1: ..." → "431".</summary>
    private static string SshdPid(string journalLine) => System.Text.RegularExpressions.Regex.Match(journalLine, @"sshd\[(\d+)\]").Groups[1].Value;

    /// <summary>The pid of the master `ssh -O check` finds at the config's ControlPath, or null when none runs.</summary>
    private int? MasterPid(int server, string config)
    {
        var check = Shell.RunAsync("ssh", ["-F", config, "-O", "check", _servers.Alias(server)]).GetAwaiter().GetResult();
        var match = System.Text.RegularExpressions.Regex.Match(check.All, @"Master running \(pid=(\d+)\)");
        return check.ExitCode == 0 && match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private async Task<int> LoginsAsync() =>
        (await _servers.MustRootAsync(1, "journalctl -u ssh --no-pager | grep -c 'Accepted publickey for deploy' || true")).Trim() is var count
            ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    /// <summary>The unix sockets listening in the directory, removed or not (/proc/net/unix: flag 00010000 is a listener).</summary>
    private static string[] AgentListeners(string directory) =>
        File.ReadLines("/proc/net/unix").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 8 && fields[3] == "00010000" && fields[7].StartsWith(directory + "/", StringComparison.Ordinal) && fields[7].EndsWith(".agent", StringComparison.Ordinal))
            .Select(fields => fields[7]).ToArray();

    private static string[] AgentForwards(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*.agent") : [];
}

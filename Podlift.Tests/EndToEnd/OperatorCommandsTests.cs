using System.Diagnostics;
using System.Text.RegularExpressions;
using Podlift.Tests.Unit;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// The operator's commands on one real server with the example app deployed (2 replicas): logs, exec,
/// config and its secrets, version, agent status, agent uninstall and reinstall.
/// </summary>
[TestFixture("bookworm", "e2eop", "10.128.0", 18580)]
[Category("e2e")]
[NonParallelizable]
public sealed class OperatorCommandsTests(string suite, string prefix, string subnet, int httpPortBase)
    : ServerFixture(suite, prefix, subnet, httpPortBase)
{
    // one from podlift.yml itself, one from .env through ${API_TOKEN}
    private const string LiteralSecret = "literal-secret-5d1e88";
    private const string EnvFileSecret = "envfile-secret-9b27c4";
    private ShellResult _firstDeploy = null!;
    private IReadOnlySet<string> _firstDeployCommandLines = null!;

    [OneTimeSetUp]
    public async Task StartServersAndDeployAsync()
    {
        await StartAsync(1, "operator");
        _app.WriteConfig($"""
            service: example
            image: example
            servers:
              - host: {_servers.Ip(1)}
            services:
              web:
                port: 8000
                replicas: 2
                healthcheck: {"{"} path: /health, expect: [200], timeout: 20s, interval: 1s, retries: 3 {"}"}
                env:
                  LITERAL_SECRET: {LiteralSecret}
                  API_TOKEN: ${"{"}API_TOKEN{"}"}
            hooks:
              after_deploy: ["echo \"${"{"}API_TOKEN{"}"}\" > /tmp/hook-token; sleep 1"]
            drain: 2s
            """);
        File.WriteAllText(Path.Combine(_app.Directory, ".gitignore"), ".env\n");
        File.WriteAllText(Path.Combine(_app.Directory, ".env"), $"API_TOKEN={EnvFileSecret}\n");
        await _app.CommitVersionAsync("v1");

        await InstallAgentAsync();
        await using (var watch = new CommandLineWatch([_servers.Name(1)]))
        {
            _firstDeploy = await _podlift.RunAsync("deploy", "--verbose");
            _firstDeployCommandLines = await watch.StopAsync();
        }
        Assert.That(_firstDeploy.ExitCode, Is.EqualTo(0), _firstDeploy.All);
        Assert.That(await GetVersionAsync(), Is.EqualTo("v1"));
    }


    [Test, Order(1)]
    public async Task LogsTail_PrintsThatManyLinesPerReplica()
    {
        for (var i = 0; i < 20; i++) await GetVersionAsync(); // busybox httpd -v: one stderr line per request

        var logs = await _podlift.RunAsync("logs", "web", "--tail", "5");

        Assert.That(logs.ExitCode, Is.EqualTo(0), logs.All);
        var lines = Lines(logs.All);
        Assert.That(lines.Count(l => l.StartsWith("[web-1] ", StringComparison.Ordinal)), Is.EqualTo(5), logs.All);
        Assert.That(lines.Count(l => l.StartsWith("[web-2] ", StringComparison.Ordinal)), Is.EqualTo(5), logs.All);
        Assert.That(lines, Has.Count.EqualTo(10), "nothing but the log lines");
        Assert.That(logs.Error, Does.Contain("response:200"), "the app's stderr lines go to stderr, as with docker logs");
    }

    [Test, Order(2)]
    public async Task LogsFollow_ShowsLinesWrittenAfterItStarted_AndAnInterruptEndsItWithExitZero()
    {
        var seen = 0;
        Process? cli = null;
        var following = _podlift.RunAsync(["logs", "web", "-f", "--tail", "1"], started: p => cli = p,
            onOutputLine: _ => Interlocked.Increment(ref seen), onErrorLine: _ => Interlocked.Increment(ref seen));

        // the last line of each replica arrives first: both streams are attached
        await WaitUntilAsync(() => Volatile.Read(ref seen) >= 2, TimeSpan.FromSeconds(30), "the initial tail of both replicas");
        var before = Volatile.Read(ref seen);
        for (var i = 0; i < 6; i++) await GetVersionAsync();
        await WaitUntilAsync(() => Volatile.Read(ref seen) >= before + 6, TimeSpan.FromSeconds(30), "the lines of the requests made after it started");

        // SIGTERM, handled like Ctrl-C's SIGINT: a test runner started in the background may have SIGINT
        // ignored, and a program rightly keeps an ignored SIGINT ignored
        await Shell.MustAsync("kill", "-TERM", cli!.Id.ToString());
        var result = await following;
        Assert.That(result.ExitCode, Is.EqualTo(0), result.All);
        Assert.That(Regex.Matches(result.Error, @"^\[web-[12]\] .*response:200", RegexOptions.Multiline), Has.Count.GreaterThanOrEqualTo(6), result.All);
    }

    [Test, Order(3)]
    public async Task Logs_RefusesAnUnknownServiceAndABadSince()
    {
        var unknown = await _podlift.RunAsync("logs", "wbe");
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.All);
        Assert.That(unknown.Error, Does.Contain("no service \"wbe\"").And.Contain("did you mean \"web\"").And.Contain("services: web"));

        var since = await _podlift.RunAsync("logs", "web", "--since", "yesterday");
        Assert.That(since.ExitCode, Is.EqualTo(2), since.All);
        Assert.That(since.Error, Does.Contain("--since"));
    }

    [Test, Order(4)]
    public async Task Exec_PrintsTheCommandsOutputAndReturnsItsExitCode()
    {
        var version = await _podlift.RunAsync("exec", "web", "cat", "/www/version");
        Assert.That(version.ExitCode, Is.EqualTo(0), version.All);
        Assert.That(version.Output, Is.EqualTo("v1\n"), "exactly the command's output, nothing of podlift's own");

        var failing = await _podlift.RunAsync("exec", "web", "sh", "-c", "exit 3");
        Assert.That(failing.ExitCode, Is.EqualTo(3), failing.All);

        var stderr = await _podlift.RunAsync("exec", "--replica", "2", "web", "sh", "-c", "echo to-stderr >&2; hostname");
        Assert.That(stderr.ExitCode, Is.EqualTo(0), stderr.All);
        Assert.That(stderr.Error.Trim(), Is.EqualTo("to-stderr"));

        var missing = await _podlift.RunAsync("exec", "--replica", "3", "web", "true");
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.All);
        Assert.That(missing.Error, Does.Contain("--replica 3"));
    }

    [Test, Order(5)]
    public async Task Exec_PassesStdinThrough()
    {
        var echoed = await _podlift.RunAsync(["exec", "web", "cat"], started: null, input: "hello\n");
        Assert.That(echoed.ExitCode, Is.EqualTo(0), echoed.All);
        Assert.That(echoed.Output, Is.EqualTo("hello\n"));

        var counted = await _podlift.RunAsync(["exec", "web", "wc", "-l"], started: null, input: string.Concat(Enumerable.Repeat("line\n", 5000)));
        Assert.That(counted.ExitCode, Is.EqualTo(0), counted.All);
        Assert.That(counted.Output.Trim(), Is.EqualTo("5000"));
    }

    [Test, Order(6)]
    public async Task Exec_OutputRedirectedToAFile_KeepsItsPlaceAmongOtherWriters()
    {
        var file = Path.Combine(_app.Directory, "..", $"{_servers.Prefix}-exec-output.txt");
        var script = $"{{ echo before; dotnet '{RepositoryPaths.CliAssembly}' exec web cat /www/version; echo after; }} > '{file}'";

        var result = await Shell.RunAsync("sh", ["-c", script], _app.Directory, new Dictionary<string, string> { ["PODLIFT_SSH_CONFIG"] = _servers.SshConfig });

        Assert.That(result.ExitCode, Is.EqualTo(0), result.All);
        Assert.That(File.ReadAllText(file), Is.EqualTo("before\nv1\nafter\n"));
    }

    [Test, Order(7)]
    public async Task Config_MasksEnvValuesUnlessAskedToShowThem()
    {
        var masked = await _podlift.RunAsync("config");
        Assert.That(masked.ExitCode, Is.EqualTo(0), masked.All);
        Assert.That(masked.All, Does.Not.Contain(LiteralSecret).And.Not.Contain(EnvFileSecret));
        Assert.That(masked.Output, Does.Contain("LITERAL_SECRET: \"********\"").And.Contain("API_TOKEN: \"********\""));
        Assert.That(masked.Output, Does.Contain("replicas: 2").And.Contain("timeout: 20s").And.Contain($"host: {_servers.Ip(1)}"));

        var shown = await _podlift.RunAsync("config", "--show-secrets");
        Assert.That(shown.ExitCode, Is.EqualTo(0), shown.All);
        Assert.That(shown.Output, Does.Contain(LiteralSecret).And.Contain(EnvFileSecret));
    }

    [Test, Order(8)]
    public async Task Secrets_NeverReachTheAgentsJournalOrTheServersProcessList()
    {
        var journal = await _servers.MustSshAsync(1, "journalctl -u podlift-agent --no-pager -o cat");
        var processes = await _servers.MustSshAsync(1, "ps auxww");
        Assert.That(journal, Does.Contain("Deploy"), "the journal has the agent's lines");
        Assert.That(processes, Does.Contain("httpd"), "ps sees the app's processes");
        foreach (var secret in new[] { LiteralSecret, EnvFileSecret })
        {
            Assert.That(journal, Does.Not.Contain(secret));
            Assert.That(processes, Does.Not.Contain(secret));
        }
        // the container does have it: the values were delivered, not lost
        var env = await _podlift.RunAsync("exec", "web", "sh", "-c", "echo \"$API_TOKEN\"");
        Assert.That(env.Output.Trim(), Is.EqualTo(EnvFileSecret));
    }

    [Test, Order(8)]
    public async Task A_secret_named_in_a_hook_is_expanded_by_its_shell_not_put_into_its_command_line()
    {
        Assert.That(await _servers.MustSshAsync(1, "cat /tmp/hook-token"), Is.EqualTo(EnvFileSecret + "\n"), "the hook's shell had the value");
        Assert.That(_firstDeploy.All, Does.Contain("echo \"${API_TOKEN}\" > /tmp/hook-token"), "the hook is printed as written");
        Assert.That(_firstDeployCommandLines, Has.Some.Contains("echo \"${API_TOKEN}\""), "the watch saw the hook's sh -c");
        Assert.That(_firstDeployCommandLines.Where(line => line.Contains(EnvFileSecret)), Is.Empty);
        Assert.That(_firstDeploy.All, Does.Not.Contain(EnvFileSecret));
        var journal = await _servers.MustSshAsync(1, "journalctl -u podlift-agent --no-pager -o cat");
        Assert.That(journal, Does.Not.Contain(EnvFileSecret));
    }

    [Test, Order(9)]
    public async Task VersionAndAgentStatus_ShowTheAgentsVersion()
    {
        var version = await _podlift.RunAsync("version");
        Assert.That(version.ExitCode, Is.EqualTo(0), version.All);
        Assert.That(version.Output, Does.Match(@"podlift\s+\d+\.\d+\.\d+"));
        Assert.That(version.Output, Does.Contain($"{_servers.Ip(1)}: podlift-agent {AgentVersion}"));

        // a second server that does not exist: reported on its own line, and version still succeeds
        var twoServers = Path.Combine(_app.Directory, "..", $"{_servers.Prefix}-two-servers.yml");
        File.WriteAllText(twoServers, $"""
            service: example
            image: example
            servers:
              - host: {_servers.Ip(1)}
              - host: {subnetOf(_servers.Ip(1))}.250
            """);
        var partly = await _podlift.RunAsync("version", "--config", twoServers);
        Assert.That(partly.ExitCode, Is.EqualTo(0), partly.All);
        Assert.That(partly.Output, Does.Contain($"{_servers.Ip(1)}: podlift-agent {AgentVersion}"));
        Assert.That(partly.Output, Does.Contain($"{subnetOf(_servers.Ip(1))}.250: "));

        var status = await _podlift.RunAsync("agent", "status");
        Assert.That(status.ExitCode, Is.EqualTo(0), status.All);
        Assert.That(status.Output, Does.Contain($"✓ {_servers.Ip(1)}: podlift-agent {AgentVersion}, up "));
        Assert.That(status.Output, Does.Contain("no deploy running"));

        static string subnetOf(string ip) => ip[..ip.LastIndexOf('.')];
    }

    [Test, Order(9)]
    public async Task A_command_waits_for_an_agent_systemd_is_restarting_and_names_a_stopped_one()
    {
        var restarts = (await _servers.MustSshAsync(1, "systemctl show podlift-agent -p NRestarts --value")).Trim();
        await _servers.MustSshAsync(1, "systemctl kill -s KILL podlift-agent"); // systemd starts it again after RestartSec (1 s), so ps finds it down

        var ps = await _podlift.RunAsync("ps");

        Assert.That(ps.ExitCode, Is.EqualTo(0), ps.All);
        Assert.That(ps.Output, Does.Match($@"web\s+{await _app.HeadShaAsync()}\s+2/2\s+healthy"));
        Assert.That((await _servers.MustSshAsync(1, "systemctl show podlift-agent -p NRestarts --value")).Trim(), Is.EqualTo($"{int.Parse(restarts) + 1}"), "systemd restarted it");

        await _servers.MustSshAsync(1, "systemctl stop podlift-agent");
        try
        {
            var stopped = await _podlift.RunAsync("ps");

            Assert.That(stopped.ExitCode, Is.EqualTo(5), stopped.All);
            Assert.That(stopped.All, Does.Contain($"{_servers.Ip(1)}: podlift-agent is installed but not running (systemd: inactive)"));
            Assert.That(stopped.All, Does.Contain("journalctl -u podlift-agent"));
        }
        finally
        {
            await _servers.MustSshAsync(1, "systemctl start podlift-agent");
        }
        Assert.That((await _podlift.RunAsync("ps")).ExitCode, Is.EqualTo(0));
    }

    /// <summary>
    /// A dockerd that hangs (stopped here with SIGSTOP) keeps its pid: the agent's kept Docker version must not make Hello call it well,
    /// or the deploy would wait at its first Docker call until that call's timeout (with the agent from before, it took 1 m 41 s and
    /// failed without naming Docker). The containers run on (containerd's), and so does the app.
    /// </summary>
    [Test, Order(9)]
    public async Task A_deploy_to_a_server_whose_Docker_hangs_fails_at_its_greeting_and_the_app_keeps_serving()
    {
        var serving = await GetVersionAsync();
        Assert.That((await _podlift.RunAsync("ps")).ExitCode, Is.EqualTo(0), "Hello has run against this daemon: its version is kept");
        await _servers.MustSshAsync(1, "kill -STOP $(cat /var/run/docker.pid)");
        ShellResult deploy;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            deploy = await _podlift.RunAsync("deploy");
        }
        finally
        {
            await _servers.MustSshAsync(1, "kill -CONT $(cat /var/run/docker.pid)");
        }

        Assert.That(deploy.ExitCode, Is.EqualTo(5), deploy.All);
        Assert.That(deploy.All, Does.Contain("Docker did not answer within 10 s").And.Contain("systemctl status docker"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the deploy ends instead of hanging");
        Assert.That(await GetVersionAsync(), Is.EqualTo(serving));
        Assert.That((await _podlift.RunAsync("ps")).ExitCode, Is.EqualTo(0), "the daemon answers again");
    }

    /// <summary>
    /// A dockerd that stops in the middle of a `docker load` (stopped here with SIGSTOP once Docker has begun to unpack the image)
    /// takes no more of it, and the load streams with no deadline of its own: before the agent watched it, the deploy waited
    /// without end (until this harness killed it after 5 minutes). The agent pings Docker whenever the load is quiet, and ends it.
    /// </summary>
    [Test, Order(9)]
    public async Task A_deploy_whose_Docker_stops_while_it_loads_the_image_fails_within_a_minute_and_the_app_keeps_serving()
    {
        var serving = await GetVersionAsync();
        ShellResult deploy;
        bool stopped;
        var clock = Stopwatch.StartNew();
        // dockerd unpacks a load into a docker-import-* directory of its own tmp: SIGSTOP as soon as one appears
        await using (var trap = await DockerStopTrap.SetAsync(_servers, _app, 1, "ls -d /var/lib/docker/tmp/docker-import-* >/dev/null 2>&1"))
        {
            deploy = await _podlift.RunAsync("deploy");
            stopped = await trap.SprungAsync();
        }

        Assert.That(stopped, Is.True, "Docker was stopped while it loaded");
        Assert.That(deploy.ExitCode, Is.EqualTo(4), deploy.All); // a deployment error: the old version keeps serving
        Assert.That(deploy.All, Does.Contain("Docker stopped answering while it loaded the image").And.Contain("systemctl status docker"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the deploy ends instead of waiting for Docker");
        Assert.That(await GetVersionAsync(), Is.EqualTo(serving));
        Assert.That((await _podlift.RunAsync("ps")).ExitCode, Is.EqualTo(0), "the daemon answers again");
    }

    /// <summary>
    /// A dockerd that stops once the job has begun (a before_deploy hook stops it here, after the image arrived): each call
    /// that followed waited for Docker.DotNet's 100 s timeout, the job's and then its clean-up's. The agent pings Docker
    /// whenever one of its calls takes long, and ends the call when the ping gets no answer.
    /// </summary>
    [Test, Order(9)]
    public async Task A_deploy_whose_Docker_stops_after_its_image_arrived_fails_within_a_minute_and_the_app_keeps_serving()
    {
        var serving = await GetVersionAsync();
        var config = File.ReadAllText(Path.Combine(_app.Directory, "podlift.yml"));
        _app.WriteConfig(config.Replace("hooks:\n", "hooks:\n  before_deploy: [\"kill -STOP $(cat /var/run/docker.pid)\"]\n", StringComparison.Ordinal));
        await _app.CommitAllAsync("a hook that stops Docker");
        ShellResult deploy;
        var clock = Stopwatch.StartNew();
        try
        {
            deploy = await _podlift.RunAsync("deploy");
        }
        finally
        {
            await _servers.MustSshAsync(1, "kill -CONT $(cat /var/run/docker.pid)");
            await _app.GitAsync("reset", "-q", "--hard", "HEAD~1");
        }

        Assert.That(deploy.All, Does.Contain("before_deploy"), "the hook ran: Docker was stopped after the image arrived");
        Assert.That(deploy.ExitCode, Is.EqualTo(4), deploy.All);
        Assert.That(deploy.All, Does.Contain("Docker stopped answering while it").And.Contain("systemctl status docker"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the deploy ends instead of waiting for each call's timeout");
        Assert.That(await GetVersionAsync(), Is.EqualTo(serving));
        var ps = await _podlift.RunAsync("ps");
        Assert.That(ps.ExitCode, Is.EqualTo(0), ps.All);
        Assert.That(ps.Output, Does.Match(@"web\s+\S+\s+2/2\s+healthy"), "the old version's containers run on");
    }

    [Test, Order(10)]
    public async Task AgentUninstall_RemovesTheAgentButTheAppKeepsServing_AndInstallRestoresIt()
    {
        var uninstall = await _podlift.RunAsync("agent", "uninstall");
        Assert.That(uninstall.ExitCode, Is.EqualTo(0), uninstall.All);
        Assert.That(uninstall.Output, Does.Contain("podlift-agent removed"));

        Assert.That((await _servers.SshAsync(1, "systemctl is-active podlift-agent")).Output.Trim(), Is.Not.EqualTo("active"));
        await _servers.MustSshAsync(1, "test ! -e /usr/local/lib/podlift && test ! -e /etc/systemd/system/podlift-agent.service && test ! -e /run/podlift");
        Assert.That(await _servers.MustSshAsync(1, "cat /var/lib/podlift/example/state.json"), Does.Contain("\"version\""), "state stays");
        Assert.That(await GetVersionAsync(), Is.EqualTo("v1"), "the app is still served through nginx");

        var again = await _podlift.RunAsync("agent", "uninstall");
        Assert.That(again.ExitCode, Is.EqualTo(0), again.All);
        Assert.That(again.Output, Does.Contain("not installed"));

        var status = await _podlift.RunAsync("agent", "status");
        Assert.That(status.ExitCode, Is.EqualTo(5), status.All);
        Assert.That(status.Output, Does.Contain("not installed"));

        await InstallAgentAsync();
        Assert.That((await _servers.MustSshAsync(1, "systemctl is-active podlift-agent")).Trim(), Is.EqualTo("active"));
        var ps = await _podlift.RunAsync("ps");
        Assert.That(ps.ExitCode, Is.EqualTo(0), ps.All);
        Assert.That(ps.Output, Does.Match($@"web\s+{await _app.HeadShaAsync()}\s+2/2\s+healthy"));
    }

    private static string AgentVersion => Podlift.Cli.CliVersion.Current; // the agent is built from the same tree

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    [Test, Order(11)]
    public async Task Validate_PassesOnAHealthyServer_AndFailsWithExit3WhenPort80IsTaken()
    {
        var healthy = await _podlift.RunAsync("validate");
        Assert.That(healthy.ExitCode, Is.EqualTo(0), healthy.All);
        Assert.That(healthy.Output, Does.Contain("✓   port 80 (nginx): nginx").Or.Contain("port 80 (nginx): nginx"));
        Assert.That(healthy.Output, Does.Contain("host key verified").And.Contain("podlift-agent"));

        // another web server takes port 80 (perl is in every Debian: perl-base); the script is a file,
        // since systemd-run would expand its $variables
        await _servers.MustSshAsync(1, "echo 'use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 80, Listen => 5, ReuseAddr => 1) or die $!; sleep 600;' " +
                                       "> /tmp/squat.pl && systemctl stop nginx && systemd-run --unit squatter /usr/bin/perl /tmp/squat.pl");
        try
        {
            await WaitUntilAsync(() => _servers.SshAsync(1, "ss -Hltn '( sport = :80 )' | grep -q LISTEN").Result.ExitCode == 0, TimeSpan.FromSeconds(10), "something else on port 80");
            var taken = await _podlift.RunAsync("validate");
            Assert.That(taken.ExitCode, Is.EqualTo(3), taken.All);
            Assert.That(taken.Output, Does.Match(@"✗\s+port 80 \(nginx\) is taken by perl"));
            Assert.That(taken.Output, Does.Contain("→ stop"), "the fix is printed beside the failure");
        }
        finally
        {
            await _servers.SshAsync(1, "systemctl stop squatter; systemctl reset-failed squatter; systemctl start nginx");
        }
    }

    [Test, Order(12)]
    public async Task DryRun_PrintsThePlanAndChangesNothing()
    {
        var before = await _servers.MustSshAsync(1, "docker ps -a --format '{{.ID}} {{.Names}} {{.State}}' | sort; md5sum /etc/nginx/conf.d/*.conf");
        await _app.CommitVersionAsync("v2");
        var sha = await _app.HeadShaAsync();

        var deploy = await _podlift.RunAsync("deploy", "--dry-run");
        var rollback = await _podlift.RunAsync("rollback", "--dry-run", "--to", "HEAD~1");
        var install = await _podlift.RunAsync("agent", "install", "--dry-run");
        var uninstall = await _podlift.RunAsync("agent", "uninstall", "--dry-run");

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        // the agent's own planner answers: the plan a real deploy would run there
        Assert.That(deploy.Output, Does.Contain("[5/7] Start containers").And.Contain("[6/7] Update nginx").And.Contain("[7/7] Cleanup"));
        Assert.That(deploy.Output, Does.Contain($"start example-web-{sha}-1 (web, 127.0.0.1:").And.Contain($"start example-web-{sha}-2 (web, 127.0.0.1:"));
        Assert.That(deploy.Output, Does.Contain("if the deploy fails before the switch: remove it"));
        Assert.That(deploy.Output, Does.Contain($"nginx: upstream of web → example-web-{sha}-1"));
        Assert.That(deploy.Output, Does.Match(@"stop example-web-\d+ \(kept for rollback\)"));
        Assert.That(deploy.Output, Does.Contain($"rename example-web-{sha}-1 to example-web-1"));
        Assert.That(rollback.ExitCode, Is.EqualTo(0), rollback.All);
        Assert.That(install.Output, Does.Contain("would change nothing"));
        Assert.That(uninstall.ExitCode, Is.EqualTo(0), uninstall.All);
        Assert.That(uninstall.Output, Does.Contain("would remove podlift-agent"));
        Assert.That((await _servers.MustSshAsync(1, "systemctl is-active podlift-agent")).Trim(), Is.EqualTo("active"));
        Assert.That(await _servers.MustSshAsync(1, "docker ps -a --format '{{.ID}} {{.Names}} {{.State}}' | sort; md5sum /etc/nginx/conf.d/*.conf"), Is.EqualTo(before));
        Assert.That((await Shell.RunAsync("docker", ["image", "inspect", $"example:{sha}"])).ExitCode, Is.Not.EqualTo(0), "not even built");
    }

    [Test, Order(13)]
    public async Task Json_GivesOneParsableObjectPerLine_EndingWithTheResult()
    {
        var deploy = await _podlift.RunAsync("deploy", "--json");

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        var events = deploy.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(events.Select(e => e.GetProperty("event").GetString()), Does.Contain("step").And.Contain("ok"));
        Assert.That(events.Where(e => e.GetProperty("event").GetString() == "step").Select(e => e.GetProperty("number").GetInt32()), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6, 7 }));
        var result = events[^1];
        Assert.That((result.GetProperty("event").GetString(), result.GetProperty("exit_code").GetInt32()), Is.EqualTo(("result", 0)));

        var bad = await _podlift.RunAsync("rollback", "--json", "--to", "nosuchversion");
        var last = System.Text.Json.JsonDocument.Parse(bad.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.That(last.GetProperty("exit_code").GetInt32(), Is.EqualTo(bad.ExitCode).And.EqualTo(3));
    }

    [Test, Order(14)]
    public async Task TheLinuxTarball_InstallsIntoACleanDirectory_AndItsCliFindsItsOwnAgent()
    {
        using var clean = new TempDirectory();
        var unpacked = await ReleasePackages.UnpackAsync("linux-x64", Path.Combine(clean.Path, "download"));
        var prefix = Path.Combine(clean.Path, "prefix");

        var install = await Shell.RunAsync("sh", [Path.Combine(unpacked, "install.sh")], clean.Path, new Dictionary<string, string> { ["PREFIX"] = prefix });

        Assert.That(install.ExitCode, Is.EqualTo(0), install.All);
        Assert.That(install.Output, Does.Contain($"installed: {prefix}/bin/podlift ").And.Contain(AgentVersion), "install.sh runs the CLI it installed");
        Assert.That(File.Exists(Path.Combine(prefix, "lib", "podlift-cli", "agent", "linux-arm64", "podlift-agent")), "it carries the arm64 agent too");
        await AssertTheInstalledCliWorksAsync(Path.Combine(prefix, "bin", "podlift"));
    }

    [Test, Order(14)]
    public async Task TheArm64Tarball_HoldsAnArm64CliThatRuns()
    {
        if (Arm64Programs.Find(out var whyNot) is not { } arm64) { Assert.Ignore(whyNot); return; }
        using var clean = new TempDirectory();
        var unpacked = await ReleasePackages.UnpackAsync("linux-arm64", clean.Path);

        var (program, arguments) = arm64.Command(Path.Combine(unpacked, "podlift"), "--version");
        var version = await Shell.RunAsync(program, arguments, clean.Path, timeout: TimeSpan.FromMinutes(2));

        Assert.That(version.ExitCode, Is.EqualTo(0), $"{arm64.How}: {version.All}");
        Assert.That(version.Output, Does.Contain(AgentVersion), arm64.How);
    }

    [Test, Order(14)]
    public async Task TheDotnetToolPackage_InstallsWithDotnetTool_AndItsCliFindsItsOwnAgent()
    {
        var packageVersion = AgentVersion.Split('+')[0]; // NuGet versions carry no build metadata
        var package = ReleasePackages.ToolPackage(packageVersion);
        Assert.That(package, Is.Not.Null, $"no podlift.{packageVersion}.nupkg in artifacts/: `make pack` builds it");
        using var clean = new TempDirectory();
        var tools = Path.Combine(clean.Path, "tools");

        var install = await Shell.RunAsync("dotnet", ["tool", "install", "podlift", "--tool-path", tools, "--add-source", Path.GetDirectoryName(package)!,
            "--version", packageVersion], clean.Path, timeout: TimeSpan.FromMinutes(3));

        Assert.That(install.ExitCode, Is.EqualTo(0), install.All);
        await AssertTheInstalledCliWorksAsync(Path.Combine(tools, "podlift"));
    }

    /// <summary>An installed podlift outside the source tree: its version, and `agent install --dry-run` with the agent it carries.</summary>
    private async Task AssertTheInstalledCliWorksAsync(string podlift)
    {
        var version = await Shell.RunAsync(podlift, ["version"], _app.Directory, PlainEnvironment);
        Assert.That(version.ExitCode, Is.EqualTo(0), version.All);
        Assert.That(version.Output, Does.Contain($"{_servers.Ip(1)}: podlift-agent "), "it reaches the server's agent");

        var dryRun = await Shell.RunAsync(podlift, ["agent", "install", "--dry-run"], _app.Directory, PlainEnvironment);
        Assert.That(dryRun.ExitCode, Is.EqualTo(0), dryRun.All);
        // the server runs the agent of this tree's build: the one the package carries is the same file
        Assert.That(dryRun.Output, Does.Contain($"{_servers.Ip(1)}: would change nothing"), dryRun.All);
    }

    /// <summary>No PODLIFT_AGENT_BINARY: the installed CLI must find the agent it carries by itself.</summary>
    private Dictionary<string, string> PlainEnvironment => new() { ["PODLIFT_SSH_CONFIG"] = _servers.SshConfig, ["PODLIFT_AGENT_BINARY"] = "" };

    private async Task<string> GetVersionAsync()
    {
        using var http = new HttpClient();
        return (await http.GetStringAsync(new Uri(_servers.Http(1), "/version"))).Trim();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) Assert.Fail($"timed out after {timeout.TotalSeconds:0}s waiting for {what}");
            await Task.Delay(100);
        }
    }
}

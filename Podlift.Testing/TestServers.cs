namespace Podlift.Testing;

/// <summary>
/// Real servers for one test fixture (or the bench): system containers with systemd, sshd, Docker and nginx,
/// started by deploy/testing/test-servers/servers.sh and removed by <see cref="DownAsync"/>.
/// </summary>
public sealed class TestServers
{
    private readonly Dictionary<string, string> _environment;
    private readonly Dictionary<string, string> _facts = [];

    /// <summary>Servers of a Debian <paramref name="suite"/> on <paramref name="place"/>, moved to this checkout's slot (PODLIFT_E2E_SLOT).</summary>
    public TestServers(string suite, ServerPlace place, string profile = "full")
    {
        place = place.InSlot(ServerPlace.SlotFromEnvironment());
        Suite = suite;
        Prefix = place.Prefix;
        _environment = new Dictionary<string, string>
        {
            ["SUITE"] = suite,
            ["IMAGE"] = profile == "bare" ? $"podlift-server:{suite}-bare" : $"podlift-server:{suite}", // hardened: the full image, hardened at up
            ["PROFILE"] = profile,
            ["PREFIX"] = place.Prefix,
            ["SUBNET"] = place.Subnet,
            ["HTTP_PORT_BASE"] = place.HttpPortBase.ToString(),
        };
    }

    public string Suite { get; }
    public string Prefix { get; }
    public string SshConfig => _facts["SSH_CONFIG"];
    public string KnownHosts => _facts["SSH_KNOWN_HOSTS"];
    public string Ip(int server) => _facts[$"SERVER_{server}_IP"];
    public string Name(int server) => _facts[$"SERVER_{server}_NAME"];

    /// <summary>PROFILE=hardened: the ssh alias the server is reached by (ssh on 2222, user deploy, the last one only through ProxyJump).</summary>
    public string Alias(int server) => _facts[$"SERVER_{server}_ALIAS"];

    /// <summary>The servers' network gateway: this machine, as the servers reach it.</summary>
    public string Gateway => $"{_facts["SUBNET"]}.1";

    /// <summary>nginx of a server, published on loopback so load tests send traffic to 127.0.0.1 only.</summary>
    public Uri Http(int server) => new($"http://{_facts[$"SERVER_{server}_HTTP"]}");

    /// <summary>nginx's HTTPS port of a server, published on loopback.</summary>
    public Uri Https(int server) => new($"https://{_facts[$"SERVER_{server}_HTTPS"]}");

    /// <summary>How many servers <see cref="UpAsync"/> started.</summary>
    public int Count { get; private set; }

    public async Task UpAsync(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ServerPlace.MaxServers); // a place has addresses and ports for no more
        await Script("build-image.sh", TimeSpan.FromMinutes(15));
        await Script($"servers.sh up {count}", TimeSpan.FromMinutes(5));
        var envFile = (await Script("servers.sh env", TimeSpan.FromSeconds(30))).Output.Trim();
        foreach (var line in File.ReadAllLines(envFile))
        {
            var parts = line.Split('=', 2);
            if (parts.Length == 2) _facts[parts[0]] = parts[1];
        }
        Count = count;
    }

    /// <summary>
    /// The agent's unit (restarts, since when, its process) and the last lines of its journal, for a failed test's log:
    /// the servers are gone by the time anyone reads it. A failed command is reported in the text; only a server that
    /// does not answer within the timeout throws (TimeoutException).
    /// </summary>
    public async Task<string> AgentReportAsync(int server, int lines = 40)
    {
        var unit = await Shell.RunAsync("docker", ["exec", Name(server), "systemctl", "show", "podlift-agent", "--no-pager",
            "-p", "ActiveState", "-p", "NRestarts", "-p", "ActiveEnterTimestamp", "-p", "MainPID"], timeout: TimeSpan.FromSeconds(30));
        var journal = await Shell.RunAsync("docker", ["exec", Name(server), "journalctl", "-u", "podlift-agent", "-n", $"{lines}", "--no-pager", "-o", "short-precise"],
            timeout: TimeSpan.FromSeconds(30));
        return $"agent on {Name(server)}: {string.Join(' ', unit.All.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}\n{journal.All}";
    }

    public Task DownAsync() => Script("servers.sh down", TimeSpan.FromMinutes(2));

    /// <summary>Runs a command on a server as root, over SSH with verified host keys.</summary>
    public Task<ShellResult> SshAsync(int server, string command) =>
        Shell.RunAsync("ssh", ["-F", SshConfig, Name(server), command], timeout: TimeSpan.FromMinutes(2));

    /// <summary>Runs a command on a server as root through `docker exec`, the trusted channel of the test harness (any profile).</summary>
    public async Task<string> MustRootAsync(int server, string command)
    {
        var result = await Shell.RunAsync("docker", ["exec", Name(server), "sh", "-c", command], timeout: TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0) throw new InvalidOperationException($"on {Name(server)}: {command} failed ({result.ExitCode}):\n{result.All}");
        return result.Output;
    }

    public async Task<string> MustSshAsync(int server, string command)
    {
        var result = await SshAsync(server, command);
        if (result.ExitCode != 0) throw new InvalidOperationException($"on {Name(server)}: {command} failed ({result.ExitCode}):\n{result.All}");
        return result.Output;
    }

    private async Task<ShellResult> Script(string commandLine, TimeSpan timeout)
    {
        var parts = commandLine.Split(' ');
        var result = await Shell.RunAsync(Path.Combine(RepositoryPaths.TestServersScripts, parts[0]), parts[1..],
            environment: _environment, timeout: timeout);
        HarnessLog.Write($"[{Suite}] {commandLine}: exit {result.ExitCode}\n{Tail(result.All)}");
        if (result.ExitCode != 0) throw new InvalidOperationException($"{commandLine} failed:\n{result.All}");
        return result;
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(6));
}

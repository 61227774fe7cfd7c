using System.Diagnostics;
using Podlift.Testing;

namespace Podlift.Bench;

/// <summary>
/// The bench scenario on three real test servers (deploy/testing/test-servers): agent install, first deploys per wire
/// compression, a redeploy changing one small layer next to the baseline pipe, its steps, and a rollback.
/// </summary>
/// <param name="comparisonRuns">
/// The runs that also take the slow comparisons: the first deploys (each after a reset, one per compression) and the
/// baseline pipe with its `docker save`s. At 500 MB they are 80-150 s of each run; their margins are wide and a repeat
/// changes little (COMPARISON_RUNS, default 1), so the later runs time only the redeploy, the rollback and the shared redeploy.
/// </param>
public sealed partial class Bench(int runs, int megabytes, int comparisonRuns) : IAsyncDisposable
{
    /// <summary>BENCH_AGENT_ENV="DOTNET_X=1 DOTNET_Y=2": extra environment for every agent the bench installs (measuring a runtime setting).</summary>
    private static readonly string[] AgentEnvironment =
        (Environment.GetEnvironmentVariable("BENCH_AGENT_ENV") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>BENCH=agent: one server, the agent's memory only (<see cref="AgentMemoryAsync"/>).</summary>
    private static readonly bool AgentOnly = Environment.GetEnvironmentVariable("BENCH") == "agent";

    /// <summary>BENCH=scale: 1, 3 and 6 servers, what each added server costs (<see cref="ScaleAsync"/>).</summary>
    private static readonly bool ScaleOnly = Environment.GetEnvironmentVariable("BENCH") == "scale";

    /// <summary>BENCH=first: one server, the first deploy by this code and by BASELINE_CLI's in turns (<see cref="FirstAgainstBaselineAsync"/>).</summary>
    private static readonly bool FirstOnly = Environment.GetEnvironmentVariable("BENCH") == "first";

    /// <summary>BENCH=soak: one agent, never restarted, through many deploys: does its memory settle (<see cref="SoakAsync"/>).</summary>
    private static readonly bool SoakOnly = Environment.GetEnvironmentVariable("BENCH") == "soak";

    /// <summary>No BENCH=: every scenario of the full bench, the one whose whole time has a target.</summary>
    public static bool Full => !(AgentOnly || ScaleOnly || FirstOnly || SoakOnly);

    /// <summary>PODLIFT_CLI=path (make bench: artifacts/bench-cli/podlift): the published podlift, what users run; unset: the build output under dotnet.</summary>
    private static readonly string? PublishedCli = Environment.GetEnvironmentVariable("PODLIFT_CLI") is { Length: > 0 } path ? path : null;

    private static readonly string[] Compressions = ["gzip", "none", "zstd"]; // the default (zstd) last: it stays deployed
    private readonly Figures _figures = new();
    private TestBed? _bed;
    private BenchServer[] _server = [];
    private int _version;

    /// <summary>Facts that are not measurements (what ran, and what could not be measured).</summary>
    public Dictionary<string, string> Facts { get; } = [];

    public async Task<Figures> RunAsync()
    {
        var baseImage = _baseImage = await BaseImageAsync(megabytes);
        var serverCount = AgentOnly || FirstOnly || SoakOnly ? 1 : ScaleOnly ? ScaleCounts.Max() : 3;
        Progress($"starting {serverCount} test server(s)");
        _bed = await TestBed.StartAsync(new TestServers("bookworm", Place()), serverCount, "bench");
        _server = [.. Enumerable.Range(1, serverCount).Select(index => new BenchServer(Servers, index))];
        await App.UseBaseImageAsync(baseImage);
        Facts["base image"] = $"{baseImage} ({megabytes} MB of random bytes + busybox)";
        Facts["servers"] = $"{serverCount} test server(s): Debian 12, Docker 20.10, nginx, in system containers on this machine";
        Facts["cpus"] = Environment.ProcessorCount.ToString();
        Facts["load average at start (1, 5, 15 min)"] = LoadAverage();
        if (Link.Mbit is { } mbit) Facts["link"] = await Link.LimitAsync(Servers.Gateway, mbit);

        await AgentAsync();
        if (AgentOnly) return await AgentMemoryAsync();
        if (ScaleOnly) return await ScaleAsync();
        if (FirstOnly) return await FirstAgainstBaselineAsync();
        if (SoakOnly) return await SoakAsync();
        WriteConfig(_server[0]);
        await StartUpAsync();
        for (var run = 1; run <= runs; run++)
        {
            var compare = run <= comparisonRuns;
            Progress($"run {run}/{runs}{(compare ? ", with the first deploys and the baseline pipe" : "")}");
            if (compare)
                foreach (var compression in Compressions) await FirstDeployAsync(compression);
            var previous = _version;
            await RedeployAsync(compare);
            await RollbackAsync($"v{previous}");
            await SharedRedeployAsync();
            await InTurnsAsync(run, firstAfterReset: compare);
        }
        await Task.Delay(TimeSpan.FromSeconds(5));
        _figures.Add("agent idle RSS after the deploys (MB)", await _server[0].AgentRssAsync() / 1048576.0);
        await ParallelAsync();
        await RegistryAsync();
        Facts["load average at end (1, 5, 15 min)"] = LoadAverage();
        Progress("done");
        return _figures;
    }

    /// <summary>
    /// BENCH=agent: only the agent's memory, on the first server, RUNS times what the whole bench does before it reads
    /// it (a first deploy, a redeploy of one small layer, a rollback; the reset before restarts the agent).
    /// </summary>
    private async Task<Figures> AgentMemoryAsync()
    {
        WriteConfig(_server[0]);
        for (var run = 1; run <= runs; run++)
        {
            Progress($"agent memory, run {run}/{runs}");
            await FirstDeployAsync("zstd");
            var previous = _version;
            await RedeployAsync(compare: false);
            await RollbackAsync($"v{previous}");
            await Task.Delay(TimeSpan.FromSeconds(5));
            _figures.Add("agent idle RSS after the deploys (MB)", await _server[0].AgentRssAsync() / 1048576.0);
            _figures.Add("agent anonymous memory after the deploys (MB)", await _server[0].AgentAnonymousAsync() / 1048576.0);
        }
        if (AgentEnvironment.Length > 0) Facts["agent environment (BENCH_AGENT_ENV)"] = string.Join(' ', AgentEnvironment);
        return _figures;
    }

    /// <summary>Fresh install on each server, then a second install of the same binary (no-op); idle RSS of a fresh agent.</summary>
    private async Task AgentAsync()
    {
        Progress("agent install on each server");
        foreach (var server in _server)
        {
            WriteConfig(server);
            var (fresh, freshTime) = await TimedAsync("agent", "install", "-v");
            _figures.Add("agent fresh install (s)", freshTime.TotalSeconds);
            _figures.Add("agent upload (MB, gzip)", CliOutput.AgentUpload(fresh) / 1048576.0);
            var (noop, noopTime) = await TimedAsync("agent", "install");
            if (!noop.Contains("no change")) throw new InvalidOperationException($"a second install changed something:\n{noop}");
            _figures.Add("agent no-op re-install (s)", noopTime.TotalSeconds);
            if (AgentEnvironment.Length > 0) await server.UseAgentEnvironmentAsync(AgentEnvironment);
        }
        await Task.Delay(TimeSpan.FromSeconds(5));
        foreach (var server in _server) _figures.Add("agent idle RSS, fresh (MB)", await server.AgentRssAsync() / 1048576.0);
    }

    /// <summary>`podlift ps` (the first server, nothing deployed) run by the published CLI and by the build output under dotnet, in turns.</summary>
    private async Task StartUpAsync()
    {
        if (PublishedCli is null)
        {
            Facts["podlift ps: published / build output"] = "n/a (PODLIFT_CLI not set: the bench runs the build output)";
            return;
        }
        Progress("podlift ps: published and under dotnet");
        var programs = new[] { ("published single file", Cli), ("build output under dotnet", Cli.With(null)) };
        // run 0 puts each file in the page cache; it is not counted
        for (var run = 0; run <= Math.Max(runs, 3); run++)
            foreach (var (name, cli) in programs)
            {
                var clock = Stopwatch.StartNew();
                var result = await cli.RunAsync("ps");
                if (result.ExitCode != 0) throw new InvalidOperationException($"podlift ps ({name}) failed ({result.ExitCode}):\n{result.All}");
                if (run > 0) _figures.Add($"podlift ps, one server: wall, {name} (s)", clock.Elapsed.TotalSeconds);
            }
    }

    /// <param name="of">Whose deploy it is, when the bench compares two programs (BENCH=first): a suffix of the figures' names.</param>
    private async Task FirstDeployAsync(string compression, string of = "")
    {
        await _server[0].ResetAsync();
        await CommitAsync();
        Environment.SetEnvironmentVariable("PODLIFT_COMPRESSION", compression);
        try
        {
            var (output, wall) = await TimedAsync("deploy", "-v");
            var (bytes, elapsed) = CliOutput.Transfer(output);
            _figures.Add($"first deploy: transfer (s), {compression}{of}", elapsed.TotalSeconds);
            _figures.Add($"first deploy: bytes sent (MB), {compression}{of}", bytes / 1048576.0);
            if (of.Length > 0) _figures.Add($"first deploy: wall, build included (s), {compression}{of}", wall.TotalSeconds);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PODLIFT_COMPRESSION", null);
        }
    }

    /// <summary>
    /// One small layer changed: with <paramref name="compare"/>, the baseline pipe loads it first (then it is removed
    /// again) and a `docker save` alone is timed; then podlift sends it.
    /// </summary>
    private async Task RedeployAsync(bool compare)
    {
        await CommitAsync();
        var image = await App.BuildImageAsync("bench");
        if (compare)
        {
            _figures.Add("redeploy: baseline docker save | gzip | ssh docker load (s)", (await _server[0].BaselinePipeAsync(image)).TotalSeconds);
            await _server[0].RemoveImageAsync(image);
            var clock = Stopwatch.StartNew();
            _figures.Add("redeploy: full image, docker save size (MB)", await SaveSizeAsync(image) / 1048576.0);
            _figures.Add("redeploy: local docker save of the full image alone (s)", clock.Elapsed.TotalSeconds);
        }

        var lines = new List<TimedLine>();
        var (output, wall) = await TimedAsync(["deploy", "--skip-build", "-v"], lines);
        var (bytes, elapsed) = CliOutput.Transfer(output);
        _figures.Add("redeploy: bytes sent (KB)", bytes / 1024.0);
        _figures.Add("redeploy: transfer (s)", elapsed.TotalSeconds);
        // with --skip-build the push starts while the server connects: the transfer counts only the wait for its end
        if (CliOutput.DockerPush(output) is { } push) _figures.Add("redeploy: Docker's push to the CLI, whole (s)", push.TotalSeconds);
        foreach (var (step, duration) in CliOutput.Steps(lines)) _figures.Add($"deploy step: {step} (s)", duration.TotalSeconds);
        foreach (var line in lines) Console.Error.WriteLine($"[redeploy {line.At.TotalSeconds,6:F3}s] {line.Text}");
        var boot = CliOutput.HealthCheck(output);
        var drain = CliOutput.Drain(output);
        _figures.Add("deploy: wall, image already built (s)", wall.TotalSeconds);
        _figures.Add("deploy: app boot (health check) (s)", boot.TotalSeconds);
        _figures.Add("deploy: drain (s)", drain.TotalSeconds);
        _figures.Add("deploy: overhead = wall - boot - drain (s)", (wall - boot - drain).TotalSeconds);
        foreach (var (operation, seconds) in await _server[0].FloorAsync(image, CliOutput.LayersSent(output))) _figures.Add($"server floor: {operation} (s)", seconds);
    }

    /// <summary>
    /// The same redeploy for a user whose ssh config shares connections (ControlMaster auto, ControlPersist): an earlier
    /// command of theirs (here `podlift ps`) left the master running, so the deploy does not log in again.
    /// </summary>
    private async Task SharedRedeployAsync()
    {
        var config = SharedSshConfig();
        var ps = await Cli.RunAsync(["ps"], started: null, sshConfigOverride: config);
        if (ps.ExitCode != 0) throw new InvalidOperationException($"podlift ps with a shared connection failed ({ps.ExitCode}):\n{ps.All}");
        await CommitAsync();
        await App.BuildImageAsync("bench");
        var lines = new List<TimedLine>();
        var (output, wall) = await TimedAsync(["deploy", "--skip-build", "-v"], lines, sshConfig: config);
        if (!output.Contains("sharing your ssh connection")) throw new InvalidOperationException($"the deploy did not join the shared connection:\n{output}");
        foreach (var (step, duration) in CliOutput.Steps(lines)) _figures.Add($"deploy step, ssh connection shared: {step} (s)", duration.TotalSeconds);
        _figures.Add("deploy, ssh connection shared: wall (s)", wall.TotalSeconds);
        _figures.Add(SharedOverhead, (wall - CliOutput.HealthCheck(output) - CliOutput.Drain(output)).TotalSeconds);
    }

    /// <summary>
    /// BASE_MB other than 50: the same redeploy (one small layer new) on the 50 MB base and on this one, in turns in
    /// each run (which goes first alternates), so that the two sizes meet the same machine: the servers hold both
    /// bases. A run that began with a reset first gives them the 50 MB one again.
    /// </summary>
    private async Task InTurnsAsync(int run, bool firstAfterReset)
    {
        if (megabytes == Report.SmallBaseMegabytes) return;
        _smallBase ??= await BaseImageAsync(Report.SmallBaseMegabytes);
        if (firstAfterReset)
        {
            await App.UseBaseImageAsync(_smallBase);
            await CommitAsync();
            await TimedAsync("deploy");
        }
        var turns = new[] { (_smallBase, Report.SmallBaseMegabytes), (_baseImage!, megabytes) };
        foreach (var (baseImage, size) in run % 2 == 1 ? turns : turns.Reverse())
        {
            await App.UseBaseImageAsync(baseImage);
            await CommitAsync();
            await App.BuildImageAsync("bench");
            var (output, _) = await TimedAsync("deploy", "--skip-build", "-v");
            var (bytes, elapsed) = CliOutput.Transfer(output);
            if (bytes > 1 << 20) throw new InvalidOperationException($"the redeploy on the {size} MB base sent {bytes} bytes: the server no longer had the base\n{output}");
            _figures.Add(Report.InTurns(size), elapsed.TotalSeconds);
        }
        await App.UseBaseImageAsync(_baseImage!); // this size's app for what follows
    }

    private string? _baseImage;
    private string? _smallBase;

    /// <summary>The app's base: one layer of that many MB of random bytes, built once per size.</summary>
    private static Task<string> BaseImageAsync(int megabytes) => TestImages.BigBaseAsync($"podlift-bench-base:{megabytes}", megabytes);

    public const string SharedOverhead = "deploy, ssh connection shared: overhead = wall - boot - drain (s)";

    /// <summary>The test servers' ssh config behind a user's connection sharing, in a private directory of its own.</summary>
    private string SharedSshConfig()
    {
        if (_sharedSsh is not null) return Path.Combine(_sharedSsh, "config");
        _sharedSsh = Directory.CreateTempSubdirectory("podlift-bench-ssh-").FullName;
        var config = Path.Combine(_sharedSsh, "config");
        File.WriteAllText(config, $"""
            Host *
              ControlMaster auto
              ControlPath {_sharedSsh}/%C
              ControlPersist 60
            Include {Servers.SshConfig}
            """);
        return config;
    }

    private string? _sharedSsh;

    /// <summary>From `podlift rollback` starting until nginx serves the previous version.</summary>
    private async Task RollbackAsync(string previousVersion)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var url = new Uri(_server[0].Http, "/version");
        var clock = new Stopwatch();
        using var done = new CancellationTokenSource();
        var switched = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                try
                {
                    if ((await http.GetStringAsync(url, done.Token)).Trim() == previousVersion) return clock.Elapsed;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(10);
            }
            return (TimeSpan?)null;
        });
        clock.Start();
        var (output, wall) = await TimedAsync("rollback");
        var switchedAt = await Task.WhenAny(switched, Task.Delay(TimeSpan.FromSeconds(5))) == switched ? await switched : null;
        await done.CancelAsync();
        if (switchedAt is null) throw new InvalidOperationException($"after the rollback, {url} never served {previousVersion}:\n{output}");
        _figures.Add("rollback: to traffic switched (s)", switchedAt.Value.TotalSeconds);
        _figures.Add("rollback: wall (s)", wall.TotalSeconds);
    }

    /// <summary>The same kind of redeploy (image built, one small layer new) to three servers: one after another, then at once.</summary>
    private async Task ParallelAsync()
    {
        var help = await Cli.RunAsync("deploy", "--help");
        if (!help.Output.Contains("--parallel"))
        {
            Facts["serial vs --parallel over 3 servers"] = "n/a (no --parallel yet)";
            return;
        }
        WriteConfig(_server);
        await CommitAsync();
        Progress("3 servers: the base layer to the other two");
        await TimedAsync("deploy", "--parallel"); // the other two servers get the base layer once, from one docker save
        for (var run = 1; run <= runs; run++)
        {
            Progress($"3 servers, run {run}/{runs}");
            foreach (var (name, arguments) in new[] { ("serial", new[] { "deploy", "--skip-build" }), ("--parallel", new[] { "deploy", "--skip-build", "--parallel" }) })
            {
                await CommitAsync();
                await App.BuildImageAsync("bench");
                var (_, wall) = await TimedAsync(arguments);
                _figures.Add($"3 servers: deploy wall, {name} (s)", wall.TotalSeconds);
            }
        }
    }

    /// <summary>
    /// The same redeploy to three servers at once through a registry (Debian's docker-registry on this machine,
    /// TLS and a login, as in the end-to-end tests): pushed once, pulled by each server.
    /// </summary>
    private async Task RegistryAsync()
    {
        await using var registry = await TestRegistry.StartAsync(Servers.Gateway, 5443);
        for (var server = 1; server <= _server.Length; server++) await registry.TrustOnAsync(Servers, server);
        Environment.SetEnvironmentVariable("REGISTRY_PASSWORD", registry.Password); // as a user would: the environment, never a command line
        try
        {
            WriteConfig(_server, registry);
            await CommitAsync();
            Progress("through a registry: the base layer pushed once");
            await TimedAsync("deploy", "--parallel"); // the base layer goes to the registry once, and each server pulls it
            for (var run = 1; run <= runs; run++)
            {
                Progress($"3 servers through a registry, run {run}/{runs}");
                await CommitAsync();
                await App.BuildImageAsync("bench");
                var (_, wall) = await TimedAsync("deploy", "--skip-build", "--parallel");
                _figures.Add("3 servers: deploy wall, --parallel through a registry (s)", wall.TotalSeconds);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("REGISTRY_PASSWORD", null);
            WriteConfig(_server);
        }
    }

    /// <summary>The next version, committed (<see cref="AppRepository.BuildImageAsync"/> then builds it for --skip-build).</summary>
    private Task CommitAsync() => App.CommitVersionAsync($"v{++_version}");

    private static async Task<long> SaveSizeAsync(string image)
    {
        var result = await Shell.RunAsync("bash", ["-o", "pipefail", "-c", $"docker save {image} | wc -c"]);
        return long.Parse(result.Output.Trim());
    }

    private Task<(string Output, TimeSpan Wall)> TimedAsync(params string[] arguments) => TimedAsync(arguments, null);

    /// <summary>
    /// Runs podlift (with the test servers' ssh config, or <paramref name="sshConfig"/>); wall time from process start to exit;
    /// optionally every output line with its arrival time, and the process once started.
    /// </summary>
    private async Task<(string Output, TimeSpan Wall)> TimedAsync(string[] arguments, List<TimedLine>? lines, Action<Process>? started = null, string? sshConfig = null)
    {
        var clock = Stopwatch.StartNew();
        var result = await Cli.RunAsync(arguments, started, onOutputLine: line =>
        {
            if (lines is not null) lock (lines) lines.Add(new TimedLine(clock.Elapsed, line));
        }, sshConfigOverride: sshConfig);
        var wall = clock.Elapsed;
        if (result.ExitCode != 0) throw new InvalidOperationException($"podlift {string.Join(' ', arguments)} failed ({result.ExitCode}):\n{result.All}");
        return (result.All, wall);
    }

    private void WriteConfig(params BenchServer[] servers) => WriteConfig(servers, null);

    private void WriteConfig(BenchServer[] servers, TestRegistry? registry) => App.WriteConfig($"""
        service: bench
        image: bench
        servers:
        {string.Join("\n", servers.Select(s => $"  - host: {s.Ip}"))}
        {(registry is null ? "" : $"registry:\n  server: {registry.Server}\n  username: {TestRegistry.Username}\n  password: ${{REGISTRY_PASSWORD}}")}
        services:
          web:
            port: 8000
            healthcheck: {"{"} path: /health, timeout: 20s, interval: 1s {"}"}
        drain: 5s
        retain: 5
        """); // retain 5: between two turns on the 50 MB base a run and the next deploy up to 4 versions on the other (InTurnsAsync)

    /// <summary>The machine is shared: how busy it was says how much the timings can be trusted.</summary>
    private static string LoadAverage() => string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

    /// <summary>The bench's own place, unless PREFIX, SUBNET or HTTP_PORT_BASE say otherwise (PODLIFT_E2E_SLOT then moves it, as the tests' servers).</summary>
    private static ServerPlace Place() => new(Env("PREFIX", ServerPlace.Bench.Prefix), Env("SUBNET", ServerPlace.Bench.Subnet),
        int.Parse(Env("HTTP_PORT_BASE", ServerPlace.Bench.HttpPortBase.ToString())));

    private static string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    private static readonly Stopwatch Started = Stopwatch.StartNew();

    private static void Progress(string text) => Console.Error.WriteLine($"[bench {Started.Elapsed.TotalSeconds,5:F0}s] {text}");

    private TestServers Servers => _bed!.Servers;
    private AppRepository App => _bed!.App;
    /// <summary>The podlift the bench runs: the published one unless a comparison switches to another (<see cref="FirstAgainstBaselineAsync"/>).</summary>
    private string? _cli = PublishedCli;

    private PodliftRunner Cli => _bed!.Podlift.With(_cli);

    public async ValueTask DisposeAsync()
    {
        if (_bed is null) return;
        if (_sharedSsh is not null)
        {
            foreach (var server in _server) await Shell.RunAsync("ssh", ["-F", SharedSshConfig(), "-O", "exit", server.Ip]);
            Directory.Delete(_sharedSsh, recursive: true);
        }
        if (Environment.GetEnvironmentVariable("KEEP_SERVERS") == "1") App.Dispose();
        else await _bed.DisposeAsync();
    }
}

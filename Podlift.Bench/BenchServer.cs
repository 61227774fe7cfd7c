using Podlift.Testing;

namespace Podlift.Bench;

/// <summary>One test server as the bench uses it: reset to "never deployed", and read the agent's memory.</summary>
public sealed class BenchServer(TestServers servers, int index)
{
    public string Ip => servers.Ip(index);
    public string Name => servers.Name(index);
    public Uri Http => servers.Http(index);

    /// <summary>No container, image, app state or site left: the next deploy is a first deploy. The agent restarts clean.</summary>
    public Task ResetAsync() => servers.MustSshAsync(index, """
        docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f $(docker images -aq) >/dev/null 2>&1
        docker network prune -f >/dev/null
        rm -rf /var/lib/podlift/*/ ; rm -f /etc/nginx/conf.d/podlift-*.conf; systemctl reload nginx
        systemctl restart podlift-agent
        """);

    /// <summary>Removes an image the bench loaded by other means, so podlift has to send it.</summary>
    public Task RemoveImageAsync(string image) => servers.MustSshAsync(index, $"docker rmi {image} >/dev/null");

    private const string AgentPid = "systemctl show -p MainPID --value podlift-agent";

    /// <summary>The running agent's process id: the same one before and after means it was not restarted.</summary>
    public async Task<long> AgentPidAsync() => await NumberAsync(AgentPid);

    /// <summary>The files in the app's journal directory: each kept job's journal and its plan.</summary>
    public async Task<long> JournalFilesAsync(string app) => await NumberAsync($"ls /var/lib/podlift/{app}/journal | wc -l");

    /// <summary>VmRSS of the running agent, in bytes.</summary>
    public async Task<long> AgentRssAsync() => await NumberAsync($"awk '/^VmRSS:/ {{print $2}}' /proc/$({AgentPid})/status") * 1024;

    /// <summary>The running agent's resident memory that is anonymous (heaps, stacks, JIT code), in bytes; the rest of VmRSS is mapped files.</summary>
    public async Task<long> AgentAnonymousAsync() => await NumberAsync($"awk '/^Anonymous:/ {{print $2}}' /proc/$({AgentPid})/smaps_rollup") * 1024;

    /// <summary>The one number a command on the server prints.</summary>
    private async Task<long> NumberAsync(string command) =>
        long.Parse((await servers.MustSshAsync(index, command)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Runs the agent with extra environment variables (a systemd drop-in beside the unit `agent install` writes), to
    /// measure a runtime setting without building another CLI: BENCH_AGENT_ENV="DOTNET_X=1 DOTNET_Y=2".
    /// </summary>
    public Task UseAgentEnvironmentAsync(IReadOnlyList<string> assignments) => servers.MustSshAsync(index, $"""
        mkdir -p /etc/systemd/system/podlift-agent.service.d
        cat > /etc/systemd/system/podlift-agent.service.d/bench.conf <<'EOF'
        [Service]
        {string.Join("\n", assignments.Select(a => $"Environment={a}"))}
        EOF
        systemctl daemon-reload; systemctl restart podlift-agent
        """);

    /// <summary>
    /// What the server's own parts take for the operations a redeploy cannot skip, timed without podlift: an ssh login
    /// (from here, a fresh connection, `true`), and on the server `docker load` of as many new small layers as the
    /// redeploy sent (on top of the image, built there and saved first, the layers the server has taken out of the
    /// archive, as podlift sends it: Docker unpacks a whole archive before it looks), `docker run -d` of the image with a port
    /// published, `docker stop` of it, and `nginx -t` then SIGHUP to nginx's master until it applied the reload (new
    /// workers run, the old ones shut down: nginx itself holds the old ones 100 ms). Seconds, by name.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, double>> FloorAsync(string image, int newLayers)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await servers.MustSshAsync(index, "true");
        var login = clock.Elapsed.TotalSeconds;
        var output = await servers.MustSshAsync(index, $$"""
            set -eo pipefail
            at() { date +%s%N; }
            docker rm -f podlift-bench-floor >/dev/null 2>&1 || true
            trap 'docker rm -f podlift-bench-floor >/dev/null 2>&1 || true; docker rmi podlift-bench-floor:layers >/dev/null 2>&1 || true; rm -rf "$probe"' EXIT
            probe=$(mktemp -d); cd "$probe"; echo "FROM {{image}}" > Dockerfile
            for i in $(seq {{newLayers}}); do echo "$i $(date +%s%N)" > "f$i"; echo "COPY f$i /podlift-bench-floor-$i" >> Dockerfile; done
            DOCKER_BUILDKIT=0 docker build -q -t podlift-bench-floor:layers . >/dev/null
            mkdir saved; docker save podlift-bench-floor:layers | tar x -C saved; docker rmi podlift-bench-floor:layers >/dev/null
            layers=$(grep -o '[0-9a-f]\{64\}/layer.tar' saved/manifest.json) # Docker 20.10's save; another layout fails here, not mismeasures
            count=$(echo "$layers" | wc -l)
            [ "$count" -gt {{newLayers}} ] || { echo "the saved image has no more layers than the {{newLayers}} new ones: $layers" >&2; exit 1; }
            for layer in $(echo "$layers" | head -n $(( count - {{newLayers}} ))); do rm -rf "saved/${layer%/layer.tar}"; done
            tar c -C saved . > partial.tar
            s=$(at); docker load -q < partial.tar >/dev/null; e=$(at); echo "docker load of the new layers=$(( e - s ))"
            s=$(at); docker run -d --name podlift-bench-floor -p 127.0.0.1:29999:8000 {{image}} >/dev/null; e=$(at); echo "docker run -d=$(( e - s ))"
            s=$(at); docker stop podlift-bench-floor >/dev/null; e=$(at); echo "docker stop=$(( e - s ))"
            s=$(at); nginx -t -q; m=$(cat /run/nginx.pid); old=" $(pgrep -d ' ' -P "$m") "; kill -HUP "$m"; i=0
            while :; do
              fresh=0; stale=0; i=$((i + 1)); [ "$i" -lt 20000 ]
              for p in $(pgrep -P "$m"); do
                case "$old" in *" $p "*) grep -q "shutting down" "/proc/$p/cmdline" 2>/dev/null || stale=1 ;; *) fresh=1 ;; esac
              done
              [ "$fresh" = 1 ] && [ "$stale" = 0 ] && break
            done
            e=$(at); echo "nginx -t + reload until applied=$(( e - s ))"
            """);
        var floor = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('='))
            .ToDictionary(pair => pair[0], pair => long.Parse(pair[1]) / 1e9);
        floor["ssh login"] = login;
        return floor;
    }

    /// <summary>The usual way without podlift, for comparison: `docker save | gzip | ssh server docker load`.</summary>
    public async Task<TimeSpan> BaselinePipeAsync(string image)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await Shell.RunAsync("bash", ["-o", "pipefail", "-c", $"docker save {image} | gzip | ssh -F {servers.SshConfig} {Name} docker load"]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"baseline pipe failed: {result.All}");
        return clock.Elapsed;
    }
}

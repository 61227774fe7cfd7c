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

    /// <summary>VmRSS of the running agent, in bytes.</summary>
    public async Task<long> AgentRssAsync()
    {
        var kilobytes = await servers.MustSshAsync(index,
            "awk '/^VmRSS:/ {print $2}' /proc/$(systemctl show -p MainPID --value podlift-agent)/status");
        return long.Parse(kilobytes.Trim()) * 1024;
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

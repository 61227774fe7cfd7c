namespace Podlift.Bench;

/// <summary>
/// BENCH=scale: the same redeploy (image built, one small layer new) to 1, 3 and 6 servers, one after another and
/// with --parallel: the deploy's wall time, the CLI's CPU (it and what it ran: ssh, docker's client) and peak RSS,
/// and the size of the primary's upstream. The cost of an added server is derived in the report.
/// </summary>
public sealed partial class Bench
{
    public static readonly int[] ScaleCounts = [1, 3, 6];

    private async Task<Figures> ScaleAsync()
    {
        Facts["scale"] = $"servers {string.Join(", ", ScaleCounts)}; every server is a system container on this one machine of {Environment.ProcessorCount} CPUs, so servers compete with the CLI and with each other";
        foreach (var count in ScaleCounts)
        {
            var servers = _server[..count];
            WriteConfig(servers);
            await CommitAsync();
            await TimedAsync("deploy"); // the servers new to the app get the base layer once
            var modes = count == 1 ? new[] { ("serial", new[] { "deploy", "--skip-build" }) }
                : [("serial", ["deploy", "--skip-build"]), ("--parallel", ["deploy", "--skip-build", "--parallel"])];
            for (var run = 1; run <= runs; run++)
            {
                Progress($"{count} server(s), run {run}/{runs}");
                foreach (var (mode, arguments) in modes)
                {
                    await CommitAsync();
                    await App.BuildImageAsync("bench");
                    var (wall, cpu, peak) = await MeasuredAsync(arguments);
                    _figures.Add($"scale, {count} server(s): deploy wall, {mode} (s)", wall.TotalSeconds);
                    _figures.Add($"scale, {count} server(s): CLI CPU user+sys, {mode} (s)", cpu.TotalSeconds);
                    _figures.Add($"scale, {count} server(s): CLI peak RSS, {mode} (MB)", peak / 1048576.0);
                }
            }
            _figures.Add($"scale, {count} server(s): primary's upstream (servers)", await UpstreamServersAsync());
        }
        return _figures;
    }

    /// <summary>A podlift run's wall time, CPU (from the change in this process's children's usage) and peak RSS.</summary>
    private async Task<(TimeSpan Wall, TimeSpan Cpu, long PeakRss)> MeasuredAsync(string[] arguments)
    {
        var peak = new PeakRss();
        var cpuBefore = ChildUsage.Cpu();
        var (_, wall) = await TimedAsync(arguments, null, peak.Watch);
        return (wall, ChildUsage.Cpu() - cpuBefore, peak.Bytes);
    }

    /// <summary>The backends in the primary's upstream for the routed service (every server's web containers).</summary>
    private async Task<double> UpstreamServersAsync()
    {
        var count = await Servers.MustSshAsync(1, "awk '/^upstream bench_web /,/^}/' /etc/nginx/conf.d/podlift-bench.conf | grep -c ' server '");
        return int.Parse(count.Trim());
    }
}

using System.Diagnostics;
using Podlift.Agent.Host;
using Podlift.Agent.State;

namespace Podlift.Agent.Proxy;

public sealed class ProxyException(string message) : Exception(message);

/// <summary>The workers that served the old config; a drain waits for them.</summary>
public sealed record ProxySwitch(IReadOnlySet<int> WorkersBefore);

public sealed record DrainResult(bool Drained, TimeSpan Elapsed, int ConnectionsLeft);

/// <summary>Routes traffic by rewriting the app's nginx site, testing it, and reloading gracefully.</summary>
public interface IReverseProxy
{
    Task<ProxySwitch> SwitchAsync(NginxSite site, CancellationToken cancellationToken);
    /// <summary>The version the app's config on disk routes to, or null when there is none.</summary>
    string? RoutedVersion(string app);
    /// <summary>Makes nginx run the config on disk (after a crash between writing and reloading); returns the workers to drain.</summary>
    Task<ProxySwitch> ReapplyAsync(CancellationToken cancellationToken);
    /// <summary>Waits until nginx's old workers are gone and no connection to <paramref name="oldBackends"/> is open, or the bound passes.</summary>
    Task<DrainResult> DrainAsync(ProxySwitch change, IReadOnlySet<System.Net.IPEndPoint> oldBackends, TimeSpan bound, CancellationToken cancellationToken);
}

public sealed class NginxProxy(IProcessRunner processes, string configDirectory = "/etc/nginx/conf.d", string stockDefaultSite = "/etc/nginx/sites-enabled/default")
    : IReverseProxy
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ReloadBound = TimeSpan.FromSeconds(10);

    public static bool HostHasIPv6 => File.Exists("/proc/net/if_inet6");

    public async Task<ProxySwitch> SwitchAsync(NginxSite site, CancellationToken cancellationToken)
    {
        var path = Path.Combine(configDirectory, NginxSite.FileName(site.App));
        var previous = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;
        var stockDefault = string.IsNullOrEmpty(site.Domain) ? DisableStockDefaultSite() : null;

        Directory.CreateDirectory(configDirectory);
        AtomicFile.Write(path, NginxSiteRenderer.Render(site));
        var test = await processes.RunAsync("nginx", ["-t", "-q"], cancellationToken);
        if (!test.Succeeded)
        {
            if (previous is null) File.Delete(path);
            else AtomicFile.Write(path, previous);
            if (stockDefault is not null) File.CreateSymbolicLink(stockDefault.Value.Link, stockDefault.Value.Target);
            throw new ProxyException($"nginx rejected the new config, the previous one is kept:\n{test.CombinedOutput}");
        }

        var before = ActiveWorkers();
        var reload = await processes.RunAsync("systemctl", ["reload-or-restart", "nginx"], cancellationToken);
        if (!reload.Succeeded) throw new ProxyException($"reloading nginx failed: {reload.CombinedOutput}");
        await WaitUntilReloadedAsync(before, cancellationToken);
        return new ProxySwitch(before);
    }

    public string? RoutedVersion(string app)
    {
        var path = Path.Combine(configDirectory, NginxSite.FileName(app));
        return File.Exists(path) ? NginxSiteRenderer.VersionOf(File.ReadAllText(path), app) : null;
    }

    public async Task<ProxySwitch> ReapplyAsync(CancellationToken cancellationToken)
    {
        var test = await processes.RunAsync("nginx", ["-t", "-q"], cancellationToken);
        if (!test.Succeeded) throw new ProxyException($"nginx rejects its config on disk:\n{test.CombinedOutput}");
        var before = DrainProbe.NginxWorkers().Select(w => w.Pid).ToHashSet();
        var reload = await processes.RunAsync("systemctl", ["reload-or-restart", "nginx"], cancellationToken);
        if (!reload.Succeeded) throw new ProxyException($"reloading nginx failed: {reload.CombinedOutput}");
        await WaitUntilReloadedAsync(ActiveWorkersAmong(before), cancellationToken);
        return new ProxySwitch(before);
    }

    private static HashSet<int> ActiveWorkersAmong(IReadOnlySet<int> pids) => ActiveWorkers().Where(pids.Contains).ToHashSet();

    public async Task<DrainResult> DrainAsync(ProxySwitch change, IReadOnlySet<System.Net.IPEndPoint> oldBackends, TimeSpan bound, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var oldWorkersAlive = DrainProbe.NginxWorkers().Any(w => change.WorkersBefore.Contains(w.Pid));
            var connections = DrainProbe.ConnectionsTo(oldBackends);
            if (!oldWorkersAlive && connections == 0) return new DrainResult(true, clock.Elapsed, 0);
            if (clock.Elapsed >= bound) return new DrainResult(false, clock.Elapsed, connections);
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static HashSet<int> ActiveWorkers() => DrainProbe.NginxWorkers().Where(w => !w.ShuttingDown).Select(w => w.Pid).ToHashSet();

    /// <summary>`systemctl reload` returns before nginx acts on it: wait until no worker of the old config takes new requests.</summary>
    private static async Task WaitUntilReloadedAsync(IReadOnlySet<int> before, CancellationToken cancellationToken)
    {
        if (before.Count == 0) return; // nginx was not running; it was started with the new config
        var clock = Stopwatch.StartNew();
        while (ActiveWorkers().Overlaps(before))
        {
            if (clock.Elapsed > ReloadBound) throw new ProxyException("nginx did not apply the reload within 10s");
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>
    /// Without a domain the app is the server's default site, which Debian's stock "Welcome to nginx"
    /// site would otherwise hold. Only that stock symlink is removed; any other default is left to nginx -t.
    /// </summary>
    private (string Link, string Target)? DisableStockDefaultSite()
    {
        var info = new FileInfo(stockDefaultSite);
        if (info.LinkTarget is not { } target || !target.EndsWith("sites-available/default", StringComparison.Ordinal)) return null;
        File.Delete(stockDefaultSite);
        return (stockDefaultSite, target);
    }
}

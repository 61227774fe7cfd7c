using System.Diagnostics;
using System.Net;
using Podlift.Agent.Machine;
using Podlift.Agent.State;

namespace Podlift.Agent.Proxy;

/// <summary>
/// nginx could not be switched. <see cref="PreviousRestored"/>: podlift confirmed that nginx runs the
/// previous site again (or never stopped running it), so the old version is what serves.
/// </summary>
public sealed class ProxyException(string message, bool previousRestored) : Exception(message)
{
    public bool PreviousRestored { get; } = previousRestored;
}

public sealed record DrainResult(bool Drained, TimeSpan Elapsed, int ConnectionsLeft);

/// <summary>Routes traffic by rewriting the app's nginx site, testing it, and reloading gracefully.</summary>
public interface IReverseProxy
{
    /// <summary>
    /// Writes the site, has nginx load it and confirms nginx applied it. Any failure after the new site is
    /// written (nginx -t, reload, no confirmation in time, cancellation) puts the previous site back and
    /// has nginx load that before it throws a <see cref="ProxyException"/>.
    /// </summary>
    Task SwitchAsync(NginxSite site, CancellationToken cancellationToken);
    /// <summary>The backends the app's site on disk routes to, or null when the app has no site.</summary>
    IReadOnlyList<(string Address, int Port)>? RoutedBackends(string app);
    /// <summary>Makes nginx run the config on disk (after a crash between writing and reloading).</summary>
    Task ReapplyAsync(CancellationToken cancellationToken);
    /// <summary>Waits until no connection to <paramref name="oldBackends"/> is open, or the bound passes. Other apps' connections do not count.</summary>
    Task<DrainResult> DrainAsync(IReadOnlySet<IPEndPoint> oldBackends, TimeSpan bound, CancellationToken cancellationToken);
    /// <summary>Why another app's site on this server would clash with one for <paramref name="domains"/> (none: the default site), or null.</summary>
    string? ConflictWith(string app, IReadOnlyList<string> domains);
    /// <summary>The host names the app's site answers (empty: the default site), or null when it has no site.</summary>
    IReadOnlyList<string>? SiteDomains(string app);
}

public sealed class NginxProxy(
    IProcessRunner processes, INginxProcesses nginx, Func<IReadOnlySet<IPEndPoint>, int> connectionsTo,
    string configDirectory = "/etc/nginx/conf.d", string stockDefaultSite = "/etc/nginx/sites-enabled/default", TimeSpan? reloadBound = null)
    : IReverseProxy
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ReloadPollInterval = TimeSpan.FromMilliseconds(10);
    private readonly TimeSpan _reloadBound = reloadBound ?? TimeSpan.FromSeconds(10);

    public NginxProxy(IProcessRunner processes) : this(processes, new NginxProcesses(), DrainProbe.ConnectionsTo) { }

    public static bool HostHasIPv6 => File.Exists("/proc/net/if_inet6");

    private string PathOf(string app) => Path.Combine(configDirectory, NginxSite.FileName(app));

    public async Task SwitchAsync(NginxSite site, CancellationToken cancellationToken)
    {
        var path = PathOf(site.App);
        var previous = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;
        var stockDefault = site.IsDefaultSite ? DisableStockDefaultSite() : null;
        Directory.CreateDirectory(configDirectory);
        try
        {
            AtomicFile.Write(path, NginxSiteRenderer.Render(site));
        }
        catch
        {
            RestoreStockDefault(stockDefault); // a full disk: the file is as it was; the stock site comes back too
            throw;
        }

        string failure;
        try
        {
            var test = await processes.RunAsync("nginx", ["-t", "-q"], cancellationToken);
            if (!test.Succeeded)
            {
                // nginx never loaded the new site: putting the file back is the whole undo
                PutBack(path, previous, stockDefault);
                throw new ProxyException($"nginx rejected the new config, the previous one is kept:\n{test.CombinedOutput}", previousRestored: true);
            }
            failure = await ReloadAsync(cancellationToken) ?? "";
            if (failure.Length == 0) return;
        }
        catch (OperationCanceledException)
        {
            failure = "the switch was cancelled (the agent is stopping)";
        }

        PutBack(path, previous, stockDefault);
        var restored = await ReloadAsync(CancellationToken.None) is null;
        throw new ProxyException(restored
            ? $"{failure}; the previous nginx config is back and nginx runs it"
            : $"{failure}; the previous nginx config was put back, but nginx did not confirm loading it", restored);
    }

    public IReadOnlyList<(string Address, int Port)>? RoutedBackends(string app)
    {
        var path = PathOf(app);
        return File.Exists(path) ? NginxSiteReader.Backends(File.ReadAllText(path), app) : null;
    }

    public async Task ReapplyAsync(CancellationToken cancellationToken)
    {
        var test = await processes.RunAsync("nginx", ["-t", "-q"], cancellationToken);
        if (!test.Succeeded) throw new ProxyException($"nginx rejects its config on disk:\n{test.CombinedOutput}", previousRestored: false);
        if (await ReloadAsync(cancellationToken) is { } failure) throw new ProxyException(failure, previousRestored: false);
    }

    public async Task<DrainResult> DrainAsync(IReadOnlySet<IPEndPoint> oldBackends, TimeSpan bound, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var connections = connectionsTo(oldBackends);
            if (connections == 0) return new DrainResult(true, clock.Elapsed, 0);
            if (clock.Elapsed >= bound) return new DrainResult(false, clock.Elapsed, connections);
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    public string? ConflictWith(string app, IReadOnlyList<string> domains) =>
        Podlift.Protocol.SiteConflicts.Find(app, domains, Sites());

    public IReadOnlyList<string>? SiteDomains(string app)
    {
        var path = PathOf(app);
        return File.Exists(path) ? NginxSiteReader.ServerNames(File.ReadAllText(path), app) : null;
    }

    /// <summary>Every podlift site nginx has on this server, with its host names.</summary>
    private IEnumerable<Podlift.Protocol.SiteNames> Sites()
    {
        if (!Directory.Exists(configDirectory)) yield break;
        foreach (var file in Directory.EnumerateFiles(configDirectory, "podlift-*.conf"))
        {
            var app = Path.GetFileName(file)["podlift-".Length..^".conf".Length];
            if (NginxSiteReader.ServerNames(File.ReadAllText(file), app) is { } names) yield return new Podlift.Protocol.SiteNames(app, names);
        }
    }

    /// <summary>
    /// Has nginx reload and confirms it did: null, or why it could not be confirmed. A running master gets SIGHUP
    /// itself, which is all systemd's reload of nginx.service does (`nginx -s reload`) after a round trip through
    /// systemd and a parse of the config to find the pid: 30-40 ms a switch (measured on a test server). When none
    /// runs, systemd starts it.
    /// </summary>
    private async Task<string?> ReloadAsync(CancellationToken cancellationToken)
    {
        var before = nginx.Snapshot();
        if (!(before.MasterPid is { } master && nginx.SignalReload(master)))
        {
            var reload = await processes.RunAsync("systemctl", ["reload-or-restart", "nginx"], cancellationToken);
            if (!reload.Succeeded) return $"reloading nginx failed: {reload.CombinedOutput}";
        }
        return await WaitUntilAppliedAsync(before, cancellationToken)
            ? null
            : $"nginx did not apply the reload within {_reloadBound.TotalSeconds:0}s";
    }

    /// <summary>
    /// A reload is asynchronous. nginx has applied it once its master runs workers and none of them is a worker of
    /// the old config still taking requests: the old ones accept new connections (to the old backends) for 100 ms
    /// after the new ones start, so the drain may begin only after that. Polled finely, as it takes about 120 ms.
    /// </summary>
    private async Task<bool> WaitUntilAppliedAsync(NginxProcessSnapshot before, CancellationToken cancellationToken)
    {
        var old = before.ActiveWorkers;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var now = nginx.Snapshot();
            var active = now.ActiveWorkers;
            if (now.MasterPid is not null && active.Count > 0 && !active.Overlaps(old)) return true;
            if (clock.Elapsed > _reloadBound) return false;
            await Task.Delay(ReloadPollInterval, cancellationToken);
        }
    }

    private static void PutBack(string path, string? previous, (string Link, string Target)? stockDefault)
    {
        if (previous is null) File.Delete(path);
        else AtomicFile.Write(path, previous);
        RestoreStockDefault(stockDefault);
    }

    private static void RestoreStockDefault((string Link, string Target)? stockDefault)
    {
        if (stockDefault is { } link && !File.Exists(link.Link)) File.CreateSymbolicLink(link.Link, link.Target);
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

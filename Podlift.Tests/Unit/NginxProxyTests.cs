using System.Net;
using Podlift.Agent.Proxy;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>The switch of an app's nginx site and every way it can fail, on a temp conf.d with a fake nginx.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class NginxProxyTests
{
    private static readonly TimeSpan ShortBound = TimeSpan.FromMilliseconds(300);
    private readonly TempDirectory _dir = new();
    private readonly FakeNginx _nginx = new();
    private FakeProcessRunner _processes = null!;
    private Func<string, IReadOnlyList<string>, Podlift.Agent.Machine.ProcessResult> _answer = (_, _) => FakeProcessRunner.Ok;

    [SetUp]
    public void Wire()
    {
        _processes = new FakeProcessRunner((file, args) => _answer(file, args));
        _processes.OnCall = call => { if (call == "systemctl reload-or-restart nginx") _nginx.Reload(); };
    }

    [TearDown]
    public void CleanUp() => _dir.Dispose();

    private int _connections;

    private NginxProxy Proxy() => new(_processes, _nginx, _ => _connections, _dir.Path, _dir.PathOf("no-stock-default"), ShortBound);

    private static NginxSite Site(string app = "shop", params int[] ports) =>
        new(app, "web", [], (ports.Length > 0 ? ports : [20001]).Select(p => new UpstreamServer("127.0.0.1", p, $"c{p}")).ToList(), false);

    private string SiteFile(string app = "shop") => _dir.PathOf(NginxSite.FileName(app));

    [Test]
    public async Task A_switch_writes_the_site_tests_it_signals_the_master_and_waits_for_the_new_workers()
    {
        await Proxy().SwitchAsync(Site(ports: 20002), CancellationToken.None);

        Assert.That(_processes.Calls, Is.EqualTo(new[] { "nginx -t -q" }), "no systemctl: the running master is signalled itself");
        Assert.That(_nginx.Signalled, Is.EqualTo(new[] { 800 }));
        Assert.That(_nginx.Workers.Where(w => !w.ShuttingDown).Select(w => w.Pid), Is.EqualTo(new[] { 803, 804 }));
        Assert.That(Proxy().RoutedBackends("shop"), Is.EqualTo(new[] { ("127.0.0.1", 20002) }));
        Assert.That(Directory.GetFiles(_dir.Path), Has.Length.EqualTo(1), "no temporary file left behind");
    }

    [Test]
    public async Task Without_a_running_master_systemd_starts_nginx()
    {
        _nginx.MasterPid = null;
        _processes.OnCall = call => { if (call == "systemctl reload-or-restart nginx") { _nginx.MasterPid = 900; _nginx.Reload(); } };

        await Proxy().SwitchAsync(Site(ports: 20002), CancellationToken.None);

        Assert.That(_processes.Calls, Is.EqualTo(new[] { "nginx -t -q", "systemctl reload-or-restart nginx" }));
        Assert.That(_nginx.Signalled, Is.Empty);
    }

    [Test]
    public async Task A_master_that_cannot_be_signalled_is_reloaded_through_systemd()
    {
        _nginx.SignalsFail = true;

        await Proxy().SwitchAsync(Site(ports: 20002), CancellationToken.None);

        Assert.That(_processes.Calls, Is.EqualTo(new[] { "nginx -t -q", "systemctl reload-or-restart nginx" }));
        Assert.That(_nginx.Reloads, Is.EqualTo(1));
    }

    [Test]
    public async Task A_reload_that_never_takes_effect_puts_the_previous_site_back_before_it_fails()
    {
        await Proxy().SwitchAsync(Site(ports: 20001), CancellationToken.None);
        _nginx.ReloadsHang = true;

        var failure = Assert.ThrowsAsync<ProxyException>(() => Proxy().SwitchAsync(Site(ports: 20002), CancellationToken.None));

        Assert.That(Proxy().RoutedBackends("shop"), Is.EqualTo(new[] { ("127.0.0.1", 20001) }), "the old version is what the config routes to");
        Assert.That(failure!.Message, Does.Contain("did not apply the reload"));
        Assert.That(failure.PreviousRestored, Is.False, "nginx hangs: podlift cannot confirm it runs the old config, so it must not say so");
        await Task.CompletedTask;
    }

    [Test]
    public async Task When_only_the_new_sites_reload_hangs_the_restored_one_is_confirmed()
    {
        await Proxy().SwitchAsync(Site(ports: 20001), CancellationToken.None);
        _nginx.HangFromReload = 2;
        _nginx.BeforeReload = () =>
        {
            // the reload of the new site hangs; the one that loads the restored site works
            if (_nginx.Reloads == 1) { _nginx.HangFromReload = null; _nginx.ReloadsHang = true; }
            else _nginx.ReloadsHang = false;
        };

        var failure = Assert.ThrowsAsync<ProxyException>(() => Proxy().SwitchAsync(Site(ports: 20002), CancellationToken.None));

        Assert.That(failure!.PreviousRestored, Is.True);
        Assert.That(failure.Message, Does.Contain("the previous nginx config is back and nginx runs it"));
        Assert.That(Proxy().RoutedBackends("shop"), Is.EqualTo(new[] { ("127.0.0.1", 20001) }));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_failed_reload_command_puts_the_previous_site_back_and_reloads_it()
    {
        await Proxy().SwitchAsync(Site(ports: 20001), CancellationToken.None);
        _nginx.SignalsFail = true;
        var reloads = 0;
        _answer = (file, args) => file == "systemctl" && ++reloads == 1 ? FakeProcessRunner.Fail("Job for nginx.service failed") : FakeProcessRunner.Ok;
        _processes.OnCall = call => { if (call == "systemctl reload-or-restart nginx" && reloads >= 1) _nginx.Reload(); };

        var failure = Assert.ThrowsAsync<ProxyException>(() => Proxy().SwitchAsync(Site(ports: 20002), CancellationToken.None));

        Assert.That(failure!.Message, Does.StartWith("reloading nginx failed: Job for nginx.service failed"));
        Assert.That(failure.PreviousRestored, Is.True);
        Assert.That(Proxy().RoutedBackends("shop"), Is.EqualTo(new[] { ("127.0.0.1", 20001) }));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_config_nginx_rejects_is_never_reloaded()
    {
        await Proxy().SwitchAsync(Site(ports: 20001), CancellationToken.None);
        _answer = (file, _) => file == "nginx" ? FakeProcessRunner.Fail("unknown directive") : FakeProcessRunner.Ok;
        _processes.Calls.Clear();

        var failure = Assert.ThrowsAsync<ProxyException>(() => Proxy().SwitchAsync(Site(ports: 20002), CancellationToken.None));

        Assert.That(failure!.PreviousRestored, Is.True, "nginx never stopped running the previous config");
        Assert.That(_processes.Calls, Is.EqualTo(new[] { "nginx -t -q" }));
        Assert.That(Proxy().RoutedBackends("shop"), Is.EqualTo(new[] { ("127.0.0.1", 20001) }));
        await Task.CompletedTask;
    }

    [Test]
    public void A_cancelled_switch_still_puts_the_previous_site_back_and_has_nginx_load_it()
    {
        File.WriteAllText(SiteFile(), NginxSiteRenderer.Render(Site(ports: 20001)));
        _nginx.ReloadsHang = true;
        using var stop = new CancellationTokenSource();
        _nginx.BeforeReload = () =>
        {
            if (!stop.IsCancellationRequested) stop.CancelAfter(50); // the agent stops while it waits
            else _nginx.ReloadsHang = false;
        };

        var failure = Assert.ThrowsAsync<ProxyException>(() => Proxy().SwitchAsync(Site(ports: 20002), stop.Token));

        Assert.That(failure!.Message, Does.Contain("cancelled"));
        Assert.That(failure.PreviousRestored, Is.True);
        Assert.That(Proxy().RoutedBackends("shop"), Is.EqualTo(new[] { ("127.0.0.1", 20001) }));
    }

    [Test]
    public void A_first_site_that_fails_leaves_no_site_behind()
    {
        _nginx.ReloadsHang = true;

        Assert.ThrowsAsync<ProxyException>(() => Proxy().SwitchAsync(Site(ports: 20002), CancellationToken.None));

        Assert.That(File.Exists(SiteFile()), Is.False);
    }

    [Test]
    public async Task The_drain_waits_only_for_connections_to_this_apps_old_backends()
    {
        var old = new HashSet<IPEndPoint> { IPEndPoint.Parse("127.0.0.1:20001") };
        _connections = 2;
        var draining = Proxy().DrainAsync(old, TimeSpan.FromSeconds(5), CancellationToken.None);
        await Task.Delay(120);
        Assert.That(draining.IsCompleted, Is.False);

        _connections = 0;
        var drained = await draining;

        Assert.That(drained.Drained, Is.True);
        Assert.That(drained.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task The_drain_is_bounded()
    {
        _connections = 1;

        var drained = await Proxy().DrainAsync(new HashSet<IPEndPoint> { IPEndPoint.Parse("127.0.0.1:20001") }, ShortBound, CancellationToken.None);

        Assert.That((drained.Drained, drained.ConnectionsLeft), Is.EqualTo((false, 1)));
    }

    [Test]
    public async Task Two_default_sites_clash_and_so_does_a_shared_host_name()
    {
        await Proxy().SwitchAsync(Site("blog"), CancellationToken.None);
        await Proxy().SwitchAsync(new NginxSite("shop", "web", ["shop.example.com", "www.shop.example.com"], [new("127.0.0.1", 20009, "x")], false),
            CancellationToken.None);

        Assert.That(Proxy().ConflictWith("wiki", []), Does.Contain("blog is already this server's default site"));
        Assert.That(Proxy().ConflictWith("store", ["WWW.shop.example.com"]), Does.Contain("shop already answers for www.shop.example.com"));
        Assert.That(Proxy().ConflictWith("blog", []), Is.Null, "an app does not clash with itself");
        Assert.That(Proxy().ConflictWith("docs", ["docs.example.com"]), Is.Null);
    }
}

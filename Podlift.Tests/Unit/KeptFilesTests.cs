using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Deploy;
using Podlift.Agent.Machine;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>Every file the agent keeps goes through <see cref="AtomicFile"/>: owner-only, whole, no temporary left.</summary>
public class KeptFilesTests
{
    private TempDirectory _dir = null!;
    private StateStore _store = null!;

    [SetUp]
    public void CreateStore()
    {
        _dir = new TempDirectory();
        _store = new StateStore(Path.Combine(_dir.Path, "lib"));
    }

    [TearDown]
    public void DeleteStore() => _dir.Dispose();

    private static void AssertKept(string path)
    {
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(AtomicFile.OwnerOnly), path);
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"), Is.Empty, "no temporary file is left");
    }

    [Test]
    public void State_json()
    {
        _store.Save(new AppRecord { App = "myapp" });

        AssertKept(Path.Combine(_store.AppDirectory("myapp"), "state.json"));
    }

    [Test]
    public void Upstreams_json()
    {
        new UpstreamRegistry(_store).Replace("myapp", UpstreamRegistry.Local, [new UpstreamServer("127.0.0.1", 20001, "myapp-web-v1-1")]);

        AssertKept(Path.Combine(_store.AppDirectory("myapp"), "upstreams.json"));
    }

    [Test]
    public void Proxy_json()
    {
        new NginxSiteFactory(_store, NullLogger<NginxSiteFactory>.Instance).SaveSettings("myapp", new ProxyPlan { Enabled = true, Domain = "shop.example.com" });

        AssertKept(Path.Combine(_store.AppDirectory("myapp"), "proxy.json"));
    }

    private sealed class NginxRejects : IProcessRunner
    {
        public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default,
            IReadOnlyDictionary<string, string>? environment = null) =>
            Task.FromResult(new ProcessResult(1, "", "nginx: [emerg] no"));
    }

    [Test]
    public async Task The_nginx_site_written_then_put_back_when_nginx_rejects_the_new_one()
    {
        var conf = Path.Combine(_dir.Path, "conf.d");
        var path = Path.Combine(conf, NginxSite.FileName("myapp"));
        Directory.CreateDirectory(conf);
        await File.WriteAllTextAsync(path, "# the previous site");
        var proxy = new NginxProxy(new NginxRejects(), new Fakes.FakeNginx(), _ => 0, conf, Path.Combine(_dir.Path, "no-default-site"));
        var site = new NginxSite("myapp", "web", ["shop.example.com"], [new UpstreamServer("127.0.0.1", 20001, "myapp-web-v2-1")], ListenIPv6: false);

        Assert.ThrowsAsync<ProxyException>(() => proxy.SwitchAsync(site, CancellationToken.None));

        Assert.That(await File.ReadAllTextAsync(path), Is.EqualTo("# the previous site"));
        AssertKept(path);
        Assert.That(Directory.GetFileSystemEntries(conf), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void A_plan_that_cannot_be_written_releases_the_apps_lock()
    {
        var tools = new DeployTools(null!, null!, _store, new UpstreamRegistry(_store), null!, null!, null!);
        var jobs = new DeployJobs(tools, null!, NullLogger<DeployJobs>.Instance);
        // the journal's name fits in a directory entry, the plan's temporary file does not: its write fails
        var plan = new DeployPlan { App = "myapp", Version = new string('a', 200), Image = "myapp:v1" };

        Assert.Throws<IOException>(() => jobs.StartDeploy(plan));

        Assert.That(jobs.Running, Is.Empty, "no job holds the app");
        Assert.That(Directory.GetFiles(_store.JournalDirectory("myapp")), Is.Empty, "the journal of a job that never ran is gone");
    }
}

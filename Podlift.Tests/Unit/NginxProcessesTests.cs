using Podlift.Agent.Proxy;

namespace Podlift.Tests.Unit;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class NginxProcessesTests
{
    private readonly TempDirectory _root = new();

    [TearDown]
    public void CleanUp() => _root.Dispose();

    private void Process(int pid, int parent, string cmdline)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root.Path, "proc", pid.ToString())).FullName;
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} (nginx) S {parent} {pid} {pid} 0 -1 4194560");
        File.WriteAllText(Path.Combine(dir, "cmdline"), cmdline.Replace(' ', '\0') + "\0");
    }

    private NginxProcesses Nginx() => new(_root.PathOf("nginx.pid"), Path.Combine(_root.Path, "proc"));

    [Test]
    public void Only_the_workers_of_the_host_nginx_count_never_those_of_an_nginx_in_a_container()
    {
        _root.Write("nginx.pid", "800\n");
        Process(1, 0, "/sbin/init");
        Process(800, 1, "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;");
        Process(801, 800, "nginx: worker process");
        Process(802, 800, "nginx: worker process is shutting down");
        // a static-site container's own nginx: same titles, another master, which never reloads for the host
        Process(900, 555, "nginx: master process nginx -g daemon off;");
        Process(901, 900, "nginx: worker process");
        Process(902, 900, "nginx: worker process");

        var snapshot = Nginx().Snapshot();

        Assert.That(snapshot.MasterPid, Is.EqualTo(800));
        Assert.That(snapshot.Workers, Is.EqualTo(new[] { new NginxWorker(801, false), new NginxWorker(802, true) }));
        Assert.That(snapshot.ActiveWorkers, Is.EqualTo(new HashSet<int> { 801 }));
    }

    [Test]
    public void Without_a_pid_file_nginx_is_not_running()
    {
        Process(901, 900, "nginx: worker process");

        Assert.That(Nginx().Snapshot(), Is.EqualTo(new NginxProcessSnapshot(null, [])).Using<NginxProcessSnapshot>((a, b) => a.MasterPid == b.MasterPid && a.Workers.Count == b.Workers.Count));
    }

    [Test]
    public void A_stale_pid_file_naming_another_process_is_no_master()
    {
        _root.Write("nginx.pid", "777");
        Process(777, 1, "/usr/bin/python3 app.py");
        Process(778, 777, "nginx: worker process");

        var snapshot = Nginx().Snapshot();

        Assert.That(snapshot.MasterPid, Is.Null);
        Assert.That(snapshot.Workers, Is.Empty);
    }
}

using Docker.DotNet.Models;
using Podlift.Agent.Docker;

namespace Podlift.Tests.Unit;

/// <summary>Docker's version is asked once per daemon process (its pid file and start time), on a temp /proc.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class DockerVersionCacheTests
{
    private readonly TempDirectory _dir = new();
    private int _asked;

    [TearDown]
    public void CleanUp() => _dir.Dispose();

    private DockerVersionCache Cache() => new(_ =>
    {
        _asked++;
        return Task.FromResult(new VersionResponse { Version = $"20.10.{_asked}", APIVersion = "1.41" });
    }, _dir.PathOf("docker.pid"), _dir.Path);

    private void Daemon(int pid, long startTime)
    {
        File.WriteAllText(_dir.PathOf("docker.pid"), $"{pid}\n");
        Directory.CreateDirectory(_dir.PathOf(pid.ToString()));
        // a comm with a space and a parenthesis, as /proc allows
        File.WriteAllText(Path.Combine(_dir.PathOf(pid.ToString()), "stat"),
            $"{pid} (dockerd (x) y) S 1 {pid} {pid} 0 -1 4194560 29 0 0 0 3 1 0 0 20 0 12 0 {startTime} 1000 100 18446744073709551615\n");
    }

    [Test]
    public async Task The_same_daemon_is_asked_once()
    {
        Daemon(412, 1_234_567);
        var cache = Cache();

        var first = await cache.GetAsync(CancellationToken.None);
        var second = await cache.GetAsync(CancellationToken.None);

        Assert.That(_asked, Is.EqualTo(1));
        Assert.That(second.Version, Is.EqualTo(first.Version));
    }

    [Test]
    public async Task A_restarted_daemon_is_asked_again_even_with_the_same_pid()
    {
        Daemon(412, 1_234_567);
        var cache = Cache();
        await cache.GetAsync(CancellationToken.None);

        Daemon(412, 9_999_999);
        var after = await cache.GetAsync(CancellationToken.None);

        Assert.That(_asked, Is.EqualTo(2));
        Assert.That(after.Version, Is.EqualTo("20.10.2"), "the upgraded daemon's version");
    }

    [Test]
    public async Task Without_a_pid_file_docker_is_asked_each_time()
    {
        var cache = Cache();

        await cache.GetAsync(CancellationToken.None);
        await cache.GetAsync(CancellationToken.None);

        Assert.That(_asked, Is.EqualTo(2));
    }

    [TestCase("412 (dockerd) S 1", null)]
    [TestCase("no parenthesis at all", null)]
    [TestCase("412 (a) b) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 777 x", "777")]
    public void The_start_time_is_field_22_whatever_the_name_holds(string stat, string? expected) =>
        Assert.That(DockerVersionCache.StartTime(stat), Is.EqualTo(expected));
}

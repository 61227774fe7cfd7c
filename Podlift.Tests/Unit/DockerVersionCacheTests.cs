using Docker.DotNet.Models;
using Podlift.Agent.Docker;
using Podlift.Agent.Rpc;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>Docker's version is asked once per daemon process (its pid file and start time), on a temp /proc.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class DockerVersionCacheTests
{
    private readonly TempDirectory _dir = new();
    private int _asked;

    [TearDown]
    public void CleanUp() => _dir.Dispose();

    private int _pinged;

    /// <summary>Docker as the cache meets it; a ping that never completes is a daemon that hangs.</summary>
    private Func<CancellationToken, Task> _ping = _ => Task.CompletedTask;

    private Func<CancellationToken, Task<VersionResponse>>? _version;

    private static async Task<VersionResponse> Hangs(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return new VersionResponse();
    }

    private DockerVersionCache Cache() => new(_version ?? (_ =>
    {
        _asked++;
        return Task.FromResult(new VersionResponse { Version = $"20.10.{_asked}", APIVersion = "1.41" });
    }), token =>
    {
        _pinged++;
        return _ping(token);
    }, _dir.PathOf("docker.pid"), _dir.Path, answerWithin: TimeSpan.FromMilliseconds(200));

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

    [Test]
    public async Task A_known_version_is_told_only_once_the_daemon_answers_its_ping()
    {
        Daemon(412, 1_234_567);
        var cache = Cache();

        await cache.GetAsync(CancellationToken.None);
        await cache.GetAsync(CancellationToken.None);

        Assert.That((_asked, _pinged), Is.EqualTo((1, 1)), "asked once, then only pinged (the ping runs no runc)");
    }

    /// <summary>
    /// A daemon that hangs keeps its pid and start time: from the cache alone, Hello would call it well, and the deploy would then wait
    /// at its first Docker call until that call's own timeout (100 s), with an error that does not say why.
    /// </summary>
    [Test, CancelAfter(10_000)]
    public async Task A_daemon_that_hangs_is_reported_even_with_its_version_known(CancellationToken cancellationToken)
    {
        Daemon(412, 1_234_567);
        var cache = Cache();
        await cache.GetAsync(cancellationToken);
        _ping = token => Task.Delay(Timeout.Infinite, token);

        var failure = Assert.ThrowsAsync<AgentFailure>(async () => await cache.GetAsync(cancellationToken));

        Assert.That(failure!.Reason, Is.EqualTo(AgentErrorReason.DockerRefused));
        Assert.That(failure.Message, Does.Contain("Docker did not answer within 0.2 s").And.Contain("systemctl status docker"));
    }

    [Test, CancelAfter(10_000)]
    public async Task A_daemon_that_hangs_before_its_version_is_known_is_reported_too(CancellationToken cancellationToken)
    {
        _version = Hangs;
        var cache = Cache();

        var failure = Assert.ThrowsAsync<AgentFailure>(async () => await cache.GetAsync(cancellationToken));

        Assert.That(failure!.Message, Does.Contain("Docker did not answer within 0.2 s"));
    }

    [Test]
    public void A_cancelled_hello_is_a_cancellation_not_a_hanging_daemon()
    {
        _version = Hangs;
        var cache = Cache();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.That(async () => await cache.GetAsync(cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [TestCase("412 (dockerd) S 1", null)]
    [TestCase("no parenthesis at all", null)]
    [TestCase("412 (a) b) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 777 x", "777")]
    public void The_start_time_is_field_22_whatever_the_name_holds(string stat, string? expected) =>
        Assert.That(DockerVersionCache.StartTime(stat), Is.EqualTo(expected));
}

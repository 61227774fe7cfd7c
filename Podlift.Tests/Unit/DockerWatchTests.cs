using System.Diagnostics;
using Podlift.Agent.Docker;
using Podlift.Agent.Rpc;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>A load or pull whose Docker stops ends with a reason; slow input and a slow Docker that answers are waited for.</summary>
public class DockerWatchTests
{
    private static readonly DockerWatch.Limits Short = new(
        Quiet: TimeSpan.FromMilliseconds(100), PingWithin: TimeSpan.FromMilliseconds(100), TakeWithin: TimeSpan.FromMilliseconds(600));

    private static readonly ImageInfo Loaded = new("sha256:loaded", 1);

    private static Task Hangs(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    private static Task Answers(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A `docker load` that takes <paramref name="takes"/> bytes, then stops taking until it is cancelled (null: takes all).</summary>
    private static Func<Stream, CancellationToken, Task<ImageInfo>> DockerTakes(int? takes, Action? cancelled = null) => async (input, token) =>
    {
        var buffer = new byte[16 << 10];
        long taken = 0;
        while (takes is null || taken < takes)
        {
            var read = await input.ReadAsync(buffer, token);
            if (read == 0) return Loaded;
            taken += read;
        }
        try
        {
            await Hangs(token);
        }
        catch (OperationCanceledException)
        {
            cancelled?.Invoke();
            throw;
        }
        return Loaded;
    };

    private static MemoryStream Image(int bytes = 1 << 20) => new(new byte[bytes]);

    [Test]
    public void A_load_whose_Docker_stops_taking_and_answers_no_ping_ends_as_DockerRefused_and_is_cancelled()
    {
        var cancelled = false;
        var watch = new DockerWatch(Hangs, Short);
        var clock = Stopwatch.StartNew();

        var stopped = Assert.ThrowsAsync<AgentFailure>(() => watch.LoadAsync(Image(), DockerTakes(64 << 10, () => cancelled = true), CancellationToken.None))!;

        Assert.That(stopped.Reason, Is.EqualTo(AgentErrorReason.DockerRefused));
        Assert.That(stopped.Message, Does.StartWith("Docker stopped answering while it loaded the image (no answer to a ping within")
            .And.Contain("`systemctl status docker` on the server"));
        Assert.That(cancelled, Is.True, "the hanging load is cancelled, so its connection closes");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void A_ping_that_fails_ends_the_load_with_its_error()
    {
        var watch = new DockerWatch(_ => throw new HttpRequestException("Connection refused (/var/run/docker.sock)"), Short);

        var stopped = Assert.ThrowsAsync<AgentFailure>(() => watch.LoadAsync(Image(), DockerTakes(64 << 10), CancellationToken.None))!;

        Assert.That(stopped.Reason, Is.EqualTo(AgentErrorReason.DockerRefused));
        Assert.That(stopped.Message, Does.Contain("(its ping failed: Connection refused (/var/run/docker.sock))"));
    }

    [Test]
    public async Task Input_that_arrives_slowly_is_not_Docker_stopping()
    {
        var watch = new DockerWatch(Hangs, Short);

        var image = await watch.LoadAsync(new SlowInput(reads: 4, each: TimeSpan.FromMilliseconds(300)), DockerTakes(null), CancellationToken.None);

        Assert.That(image, Is.EqualTo(Loaded), "a read that waits for the network is the network's time, though this Docker would answer no ping");
    }

    [Test]
    public async Task A_slow_Docker_that_answers_is_waited_for_after_it_took_the_whole_image()
    {
        var pings = 0;
        var watch = new DockerWatch(_ => { Interlocked.Increment(ref pings); return Task.CompletedTask; }, Short);

        var image = await watch.LoadAsync(Image(), async (input, token) =>
        {
            await input.CopyToAsync(Stream.Null, token);
            await Task.Delay(TimeSpan.FromSeconds(1), token); // registers the layers: longer than TakeWithin, and says nothing
            return Loaded;
        }, CancellationToken.None);

        Assert.That(image, Is.EqualTo(Loaded));
        Assert.That(pings, Is.GreaterThan(0), "it was asked whether it still answers");
    }

    [Test]
    public void A_Docker_that_answers_but_takes_none_of_the_image_ends_the_load()
    {
        var watch = new DockerWatch(Answers, Short);
        var clock = Stopwatch.StartNew();

        var stopped = Assert.ThrowsAsync<AgentFailure>(() => watch.LoadAsync(Image(), DockerTakes(64 << 10), CancellationToken.None))!;

        Assert.That(stopped.Reason, Is.EqualTo(AgentErrorReason.DockerRefused));
        Assert.That(stopped.Message, Does.StartWith("Docker took none of the image for").And.Contain("though it answers: its disk may hang"));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(Short.TakeWithin));
    }

    [Test]
    public void The_callers_cancellation_is_not_reported_as_Docker_stopping()
    {
        var watch = new DockerWatch(Hangs, Short);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        Assert.CatchAsync<OperationCanceledException>(() => watch.LoadAsync(Image(), DockerTakes(64 << 10), cancel.Token));
    }

    [Test]
    public async Task A_pull_that_keeps_reporting_is_waited_for_though_its_Docker_answers_no_ping()
    {
        var watch = new DockerWatch(Hangs, Short);
        var reports = 0;

        await watch.WatchAsync(async (progress, token) =>
        {
            for (; reports < 12; reports++)
            {
                progress.Moved();
                await Task.Delay(50, token);
            }
        }, "pulled the image", CancellationToken.None);

        Assert.That(reports, Is.EqualTo(12));
    }

    [Test]
    public void A_pull_that_stops_reporting_ends_when_its_Docker_answers_no_ping()
    {
        var watch = new DockerWatch(Hangs, Short);

        var stopped = Assert.ThrowsAsync<AgentFailure>(() => watch.WatchAsync((progress, token) => Hangs(token), "pulled the image", CancellationToken.None))!;

        Assert.That(stopped.Message, Does.StartWith("Docker stopped answering while it pulled the image"));
    }

    /// <summary>An image arriving over a slow network: each read waits before it returns its bytes.</summary>
    private sealed class SlowInput(int reads, TimeSpan each) : ForwardReadStream
    {
        private int _left = reads;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left-- <= 0) return 0;
            await Task.Delay(each, cancellationToken);
            buffer.Span[..1].Clear();
            return 1;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

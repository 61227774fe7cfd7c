using Grpc.Core;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Docker;
using Podlift.Agent.Images;
using Podlift.Agent.Rpc;
using Podlift.Protocol;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>The streamed image reaches `docker load`; how a load ends decides whether the CLI retries with the full image.</summary>
public class ImageReceiverTests
{
    private const string Image = "myapp:abc1234";
    private const int ChunkBytes = 64 << 10;

    private readonly FakeContainerRuntime _docker = new();

    private ImageReceiver Receiver() => new(_docker,
        new DockerWatch(_docker.PingAsync, new DockerWatch.Limits(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1))),
        NullLogger<ImageReceiver>.Instance);

    /// <summary>A push of <paramref name="chunks"/> chunks of random bytes, compressed, each there at once.</summary>
    private sealed class Push : IAsyncStreamReader<ImageChunk>
    {
        private readonly Compression _compression;
        private readonly ByteString[] _chunks;
        private int _next = -1;

        public Push(int chunks, Compression compression = Compression.None)
        {
            _compression = compression;
            var save = new byte[chunks * ChunkBytes];
            new Random(15).NextBytes(save);
            var wire = new MemoryStream();
            using (var compress = WireCompression.Compress(wire, compression)) compress.Write(save);
            _chunks = wire.ToArray().Chunk(ChunkBytes).Select(ByteString.CopyFrom).ToArray();
        }

        public int Count => _chunks.Length;

        public int Taken => _next;

        public ImageChunk Current => _next == 0
            ? new ImageChunk { Header = new PushHeader { Image = Image, Compression = _compression } }
            : new ImageChunk { Data = _chunks[_next - 1] };

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(++_next <= _chunks.Length);
        }
    }

    [Test]
    public async Task A_loaded_image_is_reported_with_the_bytes_received()
    {
        _docker.Load = async (input, token) =>
        {
            await input.CopyToAsync(Stream.Null, token);
            return new ImageInfo("sha256:abc", 1);
        };

        var reply = await Receiver().ReceiveAsync(new Push(chunks: 40), CancellationToken.None);

        Assert.That(reply.Id, Is.EqualTo("sha256:abc"));
        Assert.That(reply.ReceivedBytes, Is.EqualTo(40L * ChunkBytes), "uncompressed, the wire carries the save's bytes");
    }

    [Test]
    public void A_load_Docker_refuses_is_ImageRefused_so_the_CLI_sends_the_full_image()
    {
        _docker.Load = async (input, token) =>
        {
            await input.ReadAsync(new byte[1024], token);
            throw new InvalidOperationException("open /var/lib/docker/tmp/docker-import-1/abc/layer.tar: no such file or directory");
        };

        var refused = Assert.ThrowsAsync<AgentFailure>(() => Receiver().ReceiveAsync(new Push(chunks: 400), CancellationToken.None))!;

        Assert.That(refused.Reason, Is.EqualTo(AgentErrorReason.ImageRefused));
        Assert.That(refused.Message, Does.Contain("layer.tar: no such file"));
    }

    [TestCase(Compression.None)]
    [TestCase(Compression.Zstd)]
    [TestCase(Compression.Gzip)]
    public void A_Docker_that_stops_in_the_middle_of_the_load_ends_the_push_as_DockerRefused_and_the_receiver_stops_reading(Compression compression)
    {
        _docker.Ping = token => Task.Delay(Timeout.Infinite, token);
        _docker.Load = async (input, token) =>
        {
            await input.ReadAsync(new byte[1 << 20], token);
            await Task.Delay(Timeout.Infinite, token);
            return new ImageInfo("never", 0);
        };
        var push = new Push(chunks: 400, compression); // 25 MB: the pipe fills, so the receiver waits to write when Docker stops

        // a push that waits without end fails here with a TimeoutException
        var stopped = Assert.ThrowsAsync<AgentFailure>(() => Receiver().ReceiveAsync(push, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)))!;

        Assert.That(stopped.Reason, Is.EqualTo(AgentErrorReason.DockerRefused), "not ImageRefused: the full image would not help");
        Assert.That(stopped.Message, Does.StartWith("Docker stopped answering while it loaded the image"));
        Assert.That(push.Taken, Is.LessThan(push.Count), "the receiver stopped taking the push");
    }
}

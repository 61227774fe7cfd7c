using System.IO.Compression;
using ZstdSharp;

namespace Podlift.Protocol;

/// <summary>The compression of an image stream on the wire: the CLI compresses, the agent decompresses.</summary>
public static class WireCompression
{
    /// <summary>zstd level 1: on 2 cores it keeps up with the network and with `docker load`; see docs/performance.md.</summary>
    public const int ZstdLevel = 1;

    public static Stream Compress(Stream destination, Compression compression) => compression switch
    {
        Compression.None => new NonClosing(destination),
        Compression.Gzip => new GZipStream(destination, CompressionLevel.Fastest, leaveOpen: true),
        Compression.Zstd => new CompressionStream(destination, ZstdLevel, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
    };

    public static Stream Decompress(Stream source, Compression compression) => compression switch
    {
        Compression.None => source,
        Compression.Gzip => new GZipStream(source, CompressionMode.Decompress),
        Compression.Zstd => new DecompressionStream(source),
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "an unknown compression: upgrade the agent"),
    };

    public static string Name(Compression compression) => compression switch
    {
        Compression.Gzip => "gzip",
        Compression.Zstd => "zstd",
        _ => "uncompressed",
    };

    /// <summary>Lets the caller finish a pass-through "compressor" without closing the stream beneath.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
    }
}

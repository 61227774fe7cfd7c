using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;
using Podlift.Protocol;

namespace Podlift.Cli.Delivery;

/// <summary>
/// Sends an image stream as ImageChunk messages of up to 1 MB while it is being produced: the producer (docker save,
/// filter, compression) writes into <see cref="Input"/>, up to 8 MB ahead of the network, and is paused beyond that.
/// </summary>
public sealed class ChunkedUpload(IClientStreamWriter<ImageChunk> requests)
{
    public const int ChunkSize = 1 << 20;
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, minimumSegmentSize: 64 << 10));
    private long _sent;

    /// <summary>Where the producer writes; disposing it completes the upload's input.</summary>
    public Stream Input => _pipe.Writer.AsStream();

    /// <summary>Bytes handed to gRPC so far (read from any thread, for progress).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Ends the input with an error: the sender stops and reports it.</summary>
    public ValueTask FailAsync(Exception error) => _pipe.Writer.CompleteAsync(error);

    /// <summary>Sends until the producer completed the input, then completes the request stream.</summary>
    public async Task SendAsync(CancellationToken cancellationToken)
    {
        var reader = _pipe.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                while (buffer.Length >= ChunkSize || (result.IsCompleted && buffer.Length > 0))
                {
                    var chunk = buffer.Slice(0, Math.Min(buffer.Length, ChunkSize));
                    await requests.WriteAsync(new ImageChunk { Data = ByteString.CopyFrom(chunk.ToArray()) }, cancellationToken);
                    Interlocked.Add(ref _sent, chunk.Length);
                    buffer = buffer.Slice(chunk.End);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
            await requests.CompleteAsync();
            await reader.CompleteAsync();
        }
        catch (Exception e)
        {
            await reader.CompleteAsync(e); // a producer still writing sees it and stops
            throw;
        }
    }
}

using System.Diagnostics;
using System.IO.Pipelines;
using Grpc.Core;
using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Images;

/// <summary>Feeds a streamed `docker save` straight into `docker load`: no temporary file of the image.</summary>
public sealed class ImageReceiver(IContainerRuntime runtime)
{
    public async Task<PushImageReply> ReceiveAsync(IAsyncStreamReader<ImageChunk> chunks, CancellationToken cancellationToken)
    {
        if (!await chunks.MoveNext(cancellationToken) || chunks.Current.Header is not { } header)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a push starts with a header naming the image"));

        var clock = Stopwatch.StartNew();
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20));
        var load = runtime.LoadImageAsync(pipe.Reader.AsStream(), header.Image, cancellationToken);
        long received = 0;
        try
        {
            while (await chunks.MoveNext(cancellationToken))
            {
                var data = chunks.Current.Data;
                received += data.Length;
                await pipe.Writer.WriteAsync(data.Memory, cancellationToken);
            }
            await pipe.Writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await pipe.Writer.CompleteAsync(e);
            throw;
        }

        var image = await load;
        return new PushImageReply
        {
            Image = header.Image, Id = image.Id, ReceivedBytes = received, LoadMilliseconds = (long)clock.Elapsed.TotalMilliseconds,
        };
    }
}

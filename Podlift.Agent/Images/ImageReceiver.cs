using System.Diagnostics;
using System.IO.Pipelines;
using Grpc.Core;
using Podlift.Agent.Docker;
using Podlift.Agent.Rpc;
using Podlift.Protocol;

namespace Podlift.Agent.Images;

/// <summary>
/// Feeds a streamed `docker save` (possibly compressed, possibly without the layers the server has) straight
/// into `docker load`: no temporary file of the image.
/// </summary>
public sealed class ImageReceiver(IContainerRuntime runtime, DockerWatch watch, ILogger<ImageReceiver> log)
{
    public async Task<PushImageReply> ReceiveAsync(IAsyncStreamReader<ImageChunk> chunks, CancellationToken cancellationToken)
    {
        if (!await chunks.MoveNext(cancellationToken) || chunks.Current.Header is not { } header)
            throw new AgentFailure(AgentErrorReason.InvalidRequest, "a push starts with a header naming the image");
        if (!Enum.IsDefined(header.Compression))
            throw new AgentFailure(AgentErrorReason.InvalidRequest, $"unknown compression {header.Compression}: upgrade the agent with `podlift agent install`");

        var clock = Stopwatch.StartNew();
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20));
        var load = LoadAsync(pipe.Reader, header, cancellationToken);
        long received = 0;
        try
        {
            while (await chunks.MoveNext(cancellationToken))
            {
                var data = chunks.Current.Data;
                received += data.Length;
                if ((await pipe.Writer.WriteAsync(data.Memory, cancellationToken)).IsCompleted) break; // docker load gave up: its error follows
            }
            await pipe.Writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await pipe.Writer.CompleteAsync(e);
            await Task.WhenAny(load); // the load ends on the broken stream; its error is the client's, not docker's
            throw;
        }

        var image = await load; // the heap it grew is given back once the agent is quiet (Hosting/IdleCompaction)
        log.LogInformation("loaded {Image} ({Id}): {Bytes} bytes {Compression}, {Omitted} layers omitted, {Milliseconds} ms",
            header.Image, image.Id, received, WireCompression.Name(header.Compression), header.OmittedLayers, clock.ElapsedMilliseconds);
        return new PushImageReply
        {
            Image = header.Image, Id = image.Id, ReceivedBytes = received, LoadMilliseconds = (long)clock.Elapsed.TotalMilliseconds,
        };
    }

    /// <summary>
    /// A refused load is ImageRefused, so the CLI can tell it from a broken connection (and send the full image). A Docker
    /// that stopped meanwhile is DockerRefused (<see cref="DockerWatch"/>): the full image would not help.
    /// </summary>
    private async Task<ImageInfo> LoadAsync(PipeReader wire, PushHeader header, CancellationToken cancellationToken)
    {
        try
        {
            await using var save = WireCompression.Decompress(wire.AsStream(leaveOpen: true), header.Compression);
            return await watch.LoadAsync(save, (input, token) => runtime.LoadImageAsync(input, header.Image, token), cancellationToken);
        }
        catch (AgentFailure e)
        {
            log.LogWarning("docker load of {Image} ended: {Error}", header.Image, e.Message);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("docker load of {Image} failed ({Omitted} layers omitted): {Error}", header.Image, header.OmittedLayers, e.Message);
            throw new AgentFailure(AgentErrorReason.ImageRefused, e.Message);
        }
        finally
        {
            // however the load ended: the receiving loop's write into a full pipe returns, and the loop stops
            await wire.CompleteAsync();
        }
    }
}

using System.Diagnostics;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Cli.Delivery;
using Podlift.Protocol;

namespace Podlift.Cli.Delivery;

/// <summary>
/// Sends an image from the local Docker to one agent: a `docker save` stream without the layers that server
/// already has, compressed, loaded by the agent as it arrives. If the server's Docker refuses the partial
/// image, the full one follows.
/// </summary>
public sealed class ImageTransfer(LocalDocker docker, ConsoleOutput output)
{
    /// <param name="WireBytes">Bytes on the wire (compressed).</param>
    /// <param name="Elapsed">From the start of the save until the agent answered that the image is loaded.</param>
    public sealed record Sent(
        long WireBytes, TimeSpan Elapsed, TimeSpan Load, Compression Compression, FilterResult Layers, int LayerCount, bool FellBack);

    /// <summary>zstd unless PODLIFT_COMPRESSION says none, gzip or zstd (for measuring; see docs/performance.md).</summary>
    public static Compression WireDefault() => Environment.GetEnvironmentVariable("PODLIFT_COMPRESSION")?.ToLowerInvariant() switch
    {
        "none" => Compression.None,
        "gzip" => Compression.Gzip,
        _ => Compression.Zstd,
    };

    public Task<bool> IsOnServerAsync(ServerSession session, string image, CancellationToken cancellationToken) => session.HasImageAsync(image, cancellationToken);

    /// <param name="sharedSave">This server's share of a save read once for several servers; null: a save of its own.</param>
    public async Task<Sent> SendAsync(ServerSession session, string image, CancellationToken cancellationToken, SharedSave? sharedSave = null)
    {
        var host = session.Server.Host;
        var clock = Stopwatch.StartNew();
        // Docker exports the whole image before the first byte of a save arrives: start it while the server is asked
        using var stopSave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var save = sharedSave?.TakeAsync(host) ?? docker.SaveAsync(image, stopSave.Token);
        LayerSelection selection;
        Compression compression;
        try
        {
            var diffIds = await docker.LayersAsync(image, cancellationToken);
            (selection, compression) = await SelectAsync(session, image, diffIds, cancellationToken);
        }
        catch
        {
            await stopSave.CancelAsync();
            await DisposeQuietlyAsync(save);
            throw;
        }
        try
        {
            return await PushAsync(session, image, selection, compression, save, clock, cancellationToken);
        }
        catch (AgentCallException e) when (e.Reason == AgentErrorReason.ImageRefused && !selection.IsFull)
        {
            output.Warn($"{host}: Docker refused the image without the {selection.PresentLayers} layer(s) it already has ({e.Detail}); sending the full image");
            return await PushAsync(session, image, LayerSelection.All(selection.DiffIds), compression, docker.SaveAsync(image, cancellationToken), clock, cancellationToken)
                with { FellBack = true };
        }
    }

    /// <summary>What this server lacks. An agent without layer-delta gets the whole image, uncompressed, as it expects (the deploy warned).</summary>
    private async Task<(LayerSelection, Compression)> SelectAsync(ServerSession session, string image, IReadOnlyList<string> diffIds, CancellationToken cancellationToken)
    {
        var all = LayerSelection.All(diffIds);
        if (!session.Supports(Capabilities.LayerDelta)) return (all, Compression.None);
        var reply = await session.Agent.MissingLayersAsync(new MissingLayersRequest { Image = image, ChainIds = { all.ChainIds } }, cancellationToken);
        if (reply.FullImageReason.Length > 0) output.Line($"  {session.Server.Host}: the full image is sent: {reply.FullImageReason}");
        return (LayerSelection.For(diffIds, reply.MissingChainIds), WireDefault());
    }

    private async Task<Sent> PushAsync(ServerSession session, string image, LayerSelection selection, Compression compression, Task<Stream> save, Stopwatch clock,
        CancellationToken cancellationToken)
    {
        var host = session.Server.Host;
        using var call = session.Agent.PushImage(cancellationToken);
        var upload = new ChunkedUpload(call.Requests);
        FilterResult layers;
        try
        {
            await call.Requests.WriteAsync(new ImageChunk
            {
                Header = new PushHeader { Image = image, Compression = compression, OmittedLayers = selection.PresentLayers },
            }, cancellationToken);
            await using (new TransferProgress(output, host, () => upload.Sent))
            {
                var producing = ProduceAsync(save, selection, compression, upload, cancellationToken);
                var sending = upload.SendAsync(cancellationToken);
                await Task.WhenAll(producing, sending);
                layers = await producing;
            }
        }
        catch (Exception e) when (e is AgentCallException or InvalidOperationException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // if the agent ended the call, its status says why (a refused load, a lost connection); else the error is ours
            if (await Task.WhenAny(call.Reply, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)) == call.Reply)
                await call.Reply;
            throw;
        }
        finally
        {
            await DisposeQuietlyAsync(save); // already done when it was read; not yet when the call failed first
        }
        var reply = await call.Reply;
        var sent = new Sent(upload.Sent, clock.Elapsed, TimeSpan.FromMilliseconds(reply.LoadMilliseconds), compression, layers, selection.DiffIds.Count, false);
        if (layers.LayersUnidentified > 0)
            output.Detail($"{host}: {layers.LayersUnidentified} layer(s) of the save stream could not be matched to the image's layers and were sent");
        output.Detail($"{host}: {image}: {upload.Sent} bytes on the wire ({WireCompression.Name(compression)}), {layers.LayerBytesSent} bytes of layers sent, " +
                      $"{layers.BytesOmitted} omitted, {sent.Elapsed.TotalMilliseconds:0} ms until loaded");
        return sent;
    }

    /// <summary>docker save → filter → compression → the upload's input, concurrently with the upload.</summary>
    private static async Task<FilterResult> ProduceAsync(Task<Stream> saving, LayerSelection selection, Compression compression, ChunkedUpload upload, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            FilterResult layers;
            await using (var input = upload.Input)
            {
                await using var save = await saving;
                await using var compressed = WireCompression.Compress(input, compression);
                layers = await new SaveStreamFilter(selection).CopyAsync(save, compressed, cancellationToken);
            }
            return layers;
        }
        catch (Exception e)
        {
            await upload.FailAsync(e);
            throw;
        }
    }

    private static async Task DisposeQuietlyAsync(Task<Stream> save)
    {
        try
        {
            await (await save).DisposeAsync();
        }
        catch (Exception) { } // cancelled or failed: nothing to release
    }
}

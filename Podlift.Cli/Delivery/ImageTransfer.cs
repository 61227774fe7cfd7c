using System.Diagnostics;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Cli.Delivery;
using Podlift.Protocol;

namespace Podlift.Cli.Delivery;

/// <summary>What one server lacks of an image.</summary>
/// <param name="OnServer">It has the image (by name) already: nothing is sent.</param>
/// <param name="Selection">The layers it lacks.</param>
/// <param name="Compression">Of a save stream to it (none for an agent that predates compression).</param>
public sealed record ServerNeeds(bool OnServer, LayerSelection Selection, Compression Compression)
{
    /// <summary>It lacks some of the image's layers, not all: Docker's push can bring them. One that lacks all (a first deploy) is sent a save stream at once, the fastest way to send a whole image.</summary>
    public bool TakesPush => !OnServer && !Selection.IsFull;
}

/// <summary>How an image went to a server.</summary>
public enum TransferRoute
{
    /// <summary>A `docker save` stream without the layers the server has, compressed by podlift.</summary>
    Save,
    /// <summary>The layers Docker pushed to this process (<see cref="LayerPush"/>), as Docker compressed them.</summary>
    Push,
}

/// <summary>
/// Sends an image from the local Docker to one agent, loaded by the agent as it arrives, without the layers
/// that server already has: from Docker's push of the image to this process when that push brought every layer
/// the server lacks (a new version: its changed layers), else as a `docker save` stream (a first deploy, or
/// Docker cannot push here), compressed. If the server's Docker refuses the partial image, the full one follows.
/// </summary>
public sealed class ImageTransfer(LocalDocker docker, ConsoleOutput output)
{
    /// <param name="WireBytes">Bytes on the wire (compressed).</param>
    /// <param name="Elapsed">
    /// From the start of this server's transfer until the agent answered that the image is loaded: for a save stream, the save with it;
    /// from Docker's push, the wait for the push to end if it was still going (what it did before, overlapped with other work, is not counted
    /// here: `-v` prints the push's own time).
    /// </param>
    public sealed record Sent(
        long WireBytes, TimeSpan Elapsed, TimeSpan Load, Compression Compression, FilterResult Layers, int LayerCount, bool FellBack,
        TransferRoute Route = TransferRoute.Save);

    /// <summary>zstd unless PODLIFT_COMPRESSION says none, gzip or zstd (for measuring; see docs/performance.md).</summary>
    public static Compression WireDefault() => Environment.GetEnvironmentVariable("PODLIFT_COMPRESSION")?.ToLowerInvariant() switch
    {
        "none" => Compression.None,
        "gzip" => Compression.Gzip,
        _ => Compression.Zstd,
    };

    public Task<bool> IsOnServerAsync(ServerSession session, string image, CancellationToken cancellationToken) => session.HasImageAsync(image, cancellationToken);

    /// <summary>What this server lacks of the image: nothing if it has it (by name), else the layers its Docker does not hold.</summary>
    public async Task<ServerNeeds> NeedsAsync(ServerSession session, string image, IReadOnlyList<string> diffIds, CancellationToken cancellationToken)
    {
        if (await IsOnServerAsync(session, image, cancellationToken)) return new ServerNeeds(true, LayerSelection.For(diffIds, []), Compression.None);
        var (selection, compression) = await SelectAsync(session, image, diffIds, cancellationToken);
        return new ServerNeeds(false, selection, compression);
    }

    /// <summary>What this server lacks of the image, its layers as the local Docker holds them now.</summary>
    public async Task<ServerNeeds> NeedsAsync(ServerSession session, string image, CancellationToken cancellationToken) =>
        await NeedsAsync(session, image, await docker.LayersAsync(image, cancellationToken), cancellationToken);

    /// <param name="needs">What the server lacks (<see cref="NeedsAsync"/>).</param>
    /// <param name="sharedSave">This server's share of a save read once for several servers; null: a save of its own.</param>
    /// <param name="push">Docker's push of this image to this process, if one was started (and served these needs).</param>
    public async Task<Sent> SendAsync(ServerSession session, string image, ServerNeeds needs, CancellationToken cancellationToken, SharedSave? sharedSave = null,
        LayerPush? push = null)
    {
        var (host, selection, compression) = (session.Server.Host, needs.Selection, needs.Compression);
        var clock = Stopwatch.StartNew();
        if (push is not null && needs.TakesPush && await FromPushAsync(push, host, selection) is { } pushed)
        {
            sharedSave?.Decline(host);
            try
            {
                return await SendPushedAsync(session, image, pushed, selection, () => clock.Elapsed, cancellationToken);
            }
            catch (AgentCallException e) when (e.Reason == AgentErrorReason.ImageRefused)
            {
                return await SendFullImageAsync(session, image, selection, compression, e, clock, cancellationToken);
            }
        }
        try
        {
            return await SendSaveAsync(session, image, selection, compression, Save(image, host, sharedSave, cancellationToken), clock, cancellationToken);
        }
        catch (AgentCallException e) when (e.Reason == AgentErrorReason.ImageRefused && !selection.IsFull)
        {
            return await SendFullImageAsync(session, image, selection, compression, e, clock, cancellationToken);
        }
    }

    private Task<Stream> Save(string image, string host, SharedSave? sharedSave, CancellationToken cancellationToken) =>
        sharedSave?.TakeAsync(host) ?? docker.SaveAsync(image, cancellationToken);

    private async Task<Sent> SendFullImageAsync(ServerSession session, string image, LayerSelection selection, Compression compression, AgentCallException refusal,
        Stopwatch clock, CancellationToken cancellationToken)
    {
        output.Warn($"{session.Server.Host}: Docker refused the image without the {selection.PresentLayers} layer(s) it already has ({refusal.Detail}); sending the full image");
        return await SendSaveAsync(session, image, LayerSelection.All(selection.DiffIds), compression, docker.SaveAsync(image, cancellationToken), clock, cancellationToken)
            with { FellBack = true };
    }

    /// <summary>The push, if it brought every layer this server lacks; else null, and why is a detail line.</summary>
    private async Task<PushedImage?> FromPushAsync(LayerPush push, string host, LayerSelection selection)
    {
        if (await push.Result is not { } pushed)
        {
            output.Detail($"{host}: a docker save stream is sent: {push.Unavailable}");
            return null;
        }
        if (pushed.NotUploaded(selection) is { Count: > 0 } notUploaded)
        {
            output.Detail($"{host}: a docker save stream is sent: Docker's push did not bring {notUploaded.Count} layer(s) it lacks (Docker had pushed them elsewhere)");
            return null;
        }
        return pushed;
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

    private Task<Sent> SendSaveAsync(ServerSession session, string image, LayerSelection selection, Compression compression, Task<Stream> save, Stopwatch clock,
        CancellationToken cancellationToken) =>
        UploadAsync(session, image, selection, compression, TransferRoute.Save, async (input, token) =>
        {
            await using var stream = await save;
            await using var compressed = WireCompression.Compress(input, compression);
            return await new SaveStreamFilter(selection).CopyAsync(stream, compressed, token);
        }, () => DisposeQuietlyAsync(save), () => clock.Elapsed, cancellationToken);

    /// <summary>The pushed blobs are compressed already (gzip, by Docker): they go as they are.</summary>
    private Task<Sent> SendPushedAsync(ServerSession session, string image, PushedImage pushed, LayerSelection selection, Func<TimeSpan> elapsed,
        CancellationToken cancellationToken) =>
        UploadAsync(session, image, selection, Compression.None, TransferRoute.Push,
            (input, token) => LoadArchive.WriteAsync(pushed, image, selection, input, token), () => Task.CompletedTask, elapsed, cancellationToken);

    /// <param name="produce">Writes the image stream (as the agent loads it) into the upload's input, concurrently with the upload.</param>
    /// <param name="release">Frees what <paramref name="produce"/> reads, whether it ran or not.</param>
    private async Task<Sent> UploadAsync(ServerSession session, string image, LayerSelection selection, Compression compression, TransferRoute route,
        Func<Stream, CancellationToken, Task<FilterResult>> produce, Func<Task> release, Func<TimeSpan> elapsed, CancellationToken cancellationToken)
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
                var producing = ProduceAsync(produce, upload, cancellationToken);
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
            await release(); // already done when it was read; not yet when the call failed first
        }
        var reply = await call.Reply;
        var sent = new Sent(upload.Sent, elapsed(), TimeSpan.FromMilliseconds(reply.LoadMilliseconds), compression, layers, selection.DiffIds.Count, false, route);
        if (layers.LayersUnidentified > 0)
            output.Detail($"{host}: {layers.LayersUnidentified} layer(s) of the save stream could not be matched to the image's layers and were sent");
        output.Detail($"{host}: {image}: {upload.Sent} bytes on the wire ({WireCompression.Name(compression)}), {layers.LayerBytesSent} bytes of layers sent, " +
                      $"{layers.BytesOmitted} omitted, {sent.Elapsed.TotalMilliseconds:0} ms until loaded");
        return sent;
    }

    /// <summary>The producer, concurrently with the upload; its failure ends the upload's input with the error.</summary>
    private static async Task<FilterResult> ProduceAsync(Func<Stream, CancellationToken, Task<FilterResult>> produce, ChunkedUpload upload, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            FilterResult layers;
            await using (var input = upload.Input)
                layers = await produce(input, cancellationToken);
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

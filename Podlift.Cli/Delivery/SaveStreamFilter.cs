using System.Text.RegularExpressions;

namespace Podlift.Cli.Delivery;

/// <summary>What a filtered save stream left out and kept.</summary>
public sealed record FilterResult(int LayersOmitted, long BytesOmitted, int LayersSent, long LayerBytesSent, int LayersUnidentified);

/// <summary>
/// Re-emits a `docker save` stream (a tar) block for block, leaving out the layer files the server already has;
/// manifest.json, the image config and repositories are kept, so `docker load` takes the layers it lacks from the
/// stream and the rest from its own store. Streams: besides one copy buffer, only small json files are held in
/// memory. Reads both layouts: classic (&lt;v1 id&gt;/layer.tar, identified through &lt;v1 id&gt;/json, see
/// <see cref="LegacyLayerId"/>) and the OCI layout of Docker 25+ (blobs/sha256/&lt;digest&gt;, where an
/// uncompressed layer's digest is its diff id).
/// </summary>
public sealed partial class SaveStreamFilter(LayerSelection selection)
{
    private const int MaxSmallFile = 16 << 20;

    [GeneratedRegex("^([0-9a-f]{64})/json$")]
    private static partial Regex LegacyJson();

    [GeneratedRegex("^([0-9a-f]{64})/layer\\.tar$")]
    private static partial Regex LegacyLayer();

    [GeneratedRegex("^blobs/sha256/([0-9a-f]{64})$")]
    private static partial Regex OciBlob();

    public async Task<FilterResult> CopyAsync(Stream save, Stream output, CancellationToken cancellationToken)
    {
        var legacyLayers = new Dictionary<string, string>(StringComparer.Ordinal); // v1 id -> diff id
        int omitted = 0, sent = 0, unidentified = 0;
        long omittedBytes = 0, sentBytes = 0;
        var pending = new MemoryStream(); // metadata blocks (pax, long names) that belong to the next entry
        string? longName = null;
        var block = new byte[TarHeader.BlockSize];
        var buffer = new byte[1 << 20];

        while (true)
        {
            if (await save.ReadAtLeastAsync(block, block.Length, throwOnEndOfStream: false, cancellationToken) < block.Length)
                throw new InvalidDataException("the save stream ended inside the archive");
            var header = TarHeader.Parse(block);
            if (header.IsEndOfArchive)
            {
                await output.WriteAsync(block, cancellationToken);
                await output.WriteAsync(new byte[TarHeader.BlockSize], cancellationToken); // the second zero block
                return new FilterResult(omitted, omittedBytes, sent, sentBytes, unidentified);
            }

            if (header.IsMetadata)
            {
                var data = await ReadSmallAsync(save, header, cancellationToken);
                longName = TarHeader.NameFromMetadata(header.Type, data.AsSpan(0, (int)header.Size)) ?? longName;
                pending.Write(block);
                pending.Write(data);
                continue;
            }

            var name = (longName ?? header.Name).TrimStart('.', '/');
            longName = null;
            if (header.IsRegularFile && LegacyJson().Match(name) is { Success: true } json)
            {
                var data = await ReadSmallAsync(save, header, cancellationToken);
                if (LegacyLayerId.Identify(json.Groups[1].Value, data.AsSpan(0, (int)header.Size), selection.ChainIds) is { } index)
                    legacyLayers[json.Groups[1].Value] = selection.DiffIds[index];
                await WriteAsync(output, pending, block, cancellationToken);
                await output.WriteAsync(data, cancellationToken);
                continue;
            }

            if (header.IsRegularFile && LayerOf(name, legacyLayers) is var (isLayer, diffId) && isLayer)
            {
                if (diffId is null) unidentified++;
                if (!selection.MustSend(diffId))
                {
                    omitted++;
                    omittedBytes += header.Size;
                    pending.SetLength(0);
                    await SkipAsync(save, header.PaddedSize, buffer, cancellationToken);
                    continue;
                }
                sent++;
                sentBytes += header.Size;
            }
            await WriteAsync(output, pending, block, cancellationToken);
            await CopyAsync(save, output, header.PaddedSize, buffer, cancellationToken);
        }
    }

    /// <summary>Whether a file is a layer's content and, if known, which layer (its diff id).</summary>
    private (bool IsLayer, string? DiffId) LayerOf(string name, Dictionary<string, string> legacyLayers)
    {
        if (LegacyLayer().Match(name) is { Success: true } legacy)
            return (true, legacyLayers.GetValueOrDefault(legacy.Groups[1].Value));
        if (OciBlob().Match(name) is { Success: true } blob && selection.IsLayer("sha256:" + blob.Groups[1].Value))
            return (true, "sha256:" + blob.Groups[1].Value);
        return (false, null);
    }

    private static async Task WriteAsync(Stream output, MemoryStream pending, byte[] header, CancellationToken cancellationToken)
    {
        if (pending.Length > 0)
        {
            await output.WriteAsync(pending.GetBuffer().AsMemory(0, (int)pending.Length), cancellationToken);
            pending.SetLength(0);
        }
        await output.WriteAsync(header, cancellationToken);
    }

    private static async Task<byte[]> ReadSmallAsync(Stream save, TarHeader header, CancellationToken cancellationToken)
    {
        if (header.PaddedSize > MaxSmallFile) throw new InvalidDataException($"{header.Name} in the save stream is unexpectedly large ({header.Size} bytes)");
        var data = new byte[header.PaddedSize];
        await save.ReadExactlyAsync(data, cancellationToken);
        return data;
    }

    private static async Task CopyAsync(Stream from, Stream to, long count, byte[] buffer, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0) throw new EndOfStreamException("the save stream ended inside a file");
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            count -= read;
        }
    }

    private static async Task SkipAsync(Stream from, long count, byte[] buffer, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0) throw new EndOfStreamException("the save stream ended inside a file");
            count -= read;
        }
    }
}

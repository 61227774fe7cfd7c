using System.Formats.Tar;
using System.Text.Json;

namespace Podlift.Cli.Delivery;

/// <summary>
/// A `docker load` archive of a pushed image holding only the layers one server lacks: manifest.json (the
/// tag, the config, every layer's path), the config, and the compressed blobs of the missing layers as Docker
/// pushed them (`docker load` decompresses a layer file itself). `docker load` (20.10 and later) takes a layer
/// whose chain it already has from its own store without opening the file, which is what lets the others be
/// left out; the config makes the image id the same as the local one.
/// </summary>
public static class LoadArchive
{
    /// <returns>What was left out and kept, as a filtered save stream reports it (sizes of left-out layers unknown: 0).</returns>
    public static async Task<FilterResult> WriteAsync(PushedImage image, string tag, LayerSelection selection, Stream output, CancellationToken cancellationToken)
    {
        var notUploaded = image.NotUploaded(selection);
        if (notUploaded.Count > 0)
            throw new InvalidOperationException($"the push did not upload {notUploaded.Count} layer(s) this server lacks");
        var configFile = image.ConfigDigest["sha256:".Length..] + ".json";
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            new LoadManifest(configFile, [tag], image.Layers.Select(l => BlobPath(l.Digest)).ToList()),
        }, LoadManifestJson.Default.LoadManifestArray);

        int sent = 0, omitted = 0;
        long sentBytes = 0;
        await using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var layer in image.Layers.DistinctBy(l => l.Digest))
        {
            if (!selection.MustSend(layer.DiffId))
            {
                omitted++;
                continue;
            }
            await using var blob = layer.Blob!.Open();
            await tar.WriteEntryAsync(Entry(BlobPath(layer.Digest), blob), cancellationToken);
            sent++;
            sentBytes += layer.Blob.Size;
        }
        await tar.WriteEntryAsync(Entry(configFile, new MemoryStream(image.Config)), cancellationToken);
        await tar.WriteEntryAsync(Entry("manifest.json", new MemoryStream(manifest)), cancellationToken);
        return new FilterResult(omitted, 0, sent, sentBytes, 0);
    }

    private static string BlobPath(string digest) => "blobs/sha256/" + digest["sha256:".Length..];

    private static PaxTarEntry Entry(string name, Stream data) => new(TarEntryType.RegularFile, name)
    {
        DataStream = data,
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        ModificationTime = DateTimeOffset.UnixEpoch,
    };
}

/// <summary>One image in a `docker load` archive's manifest.json.</summary>
public sealed record LoadManifest(
    [property: System.Text.Json.Serialization.JsonPropertyName("Config")] string Config,
    [property: System.Text.Json.Serialization.JsonPropertyName("RepoTags")] IReadOnlyList<string> RepoTags,
    [property: System.Text.Json.Serialization.JsonPropertyName("Layers")] IReadOnlyList<string> Layers);

[System.Text.Json.Serialization.JsonSerializable(typeof(LoadManifest[]))]
internal sealed partial class LoadManifestJson : System.Text.Json.Serialization.JsonSerializerContext;

namespace Podlift.Cli.Delivery;

/// <param name="DiffId">The layer's uncompressed digest (as the image config and the servers name it).</param>
/// <param name="Digest">Its compressed blob's digest, as Docker pushed it.</param>
/// <param name="Blob">The blob, if Docker uploaded it; null if Docker only asked about it.</param>
public sealed record PushedLayer(string DiffId, string Digest, Blob? Blob);

/// <summary>
/// What one `docker push` to the <see cref="PushReceiver"/> delivered: the image config and, per layer, its
/// blob if Docker uploaded it. A server can be sent the image this way when every layer it lacks was uploaded.
/// </summary>
public sealed class PushedImage
{
    private PushedImage(string configDigest, byte[] config, IReadOnlyList<PushedLayer> layers)
    {
        ConfigDigest = configDigest;
        Config = config;
        Layers = layers;
    }

    public string ConfigDigest { get; }
    public byte[] Config { get; }
    public IReadOnlyList<PushedLayer> Layers { get; }

    /// <summary>
    /// Puts a push's manifest and blobs together, checked against the local image: the config must be the
    /// image's (its digest is the image id) and name the same layers.
    /// </summary>
    public static async Task<PushedImage> AssembleAsync(RegistryManifest manifest, BlobStore blobs, string imageId, IReadOnlyList<string> diffIds,
        CancellationToken cancellationToken)
    {
        if (manifest.ConfigDigest != imageId)
            throw new InvalidDataException($"the pushed manifest names the config {manifest.ConfigDigest}, not the image's ({imageId})");
        if (blobs.Find(manifest.ConfigDigest) is not { } configBlob)
            throw new InvalidDataException("the push did not upload the image config");
        byte[] config;
        await using (var stream = configBlob.Open())
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            config = copy.ToArray();
        }
        var configured = RegistryManifest.DiffIds(config);
        if (!configured.SequenceEqual(diffIds.Select(d => d.ToLowerInvariant())) || configured.Count != manifest.LayerDigests.Count)
            throw new InvalidDataException($"the pushed image has {manifest.LayerDigests.Count} layer(s) and a config naming {configured.Count}, the local image {diffIds.Count}");
        var layers = configured.Select((diffId, i) => new PushedLayer(diffId, manifest.LayerDigests[i], blobs.Find(manifest.LayerDigests[i]))).ToList();
        return new PushedImage(manifest.ConfigDigest, config, layers);
    }

    /// <summary>The layers this server lacks that the push did not upload (Docker knew them from elsewhere): they need another way.</summary>
    public IReadOnlyList<string> NotUploaded(LayerSelection selection) =>
        Layers.Where(layer => layer.Blob is null && selection.MustSend(layer.DiffId)).Select(layer => layer.DiffId).Distinct().ToList();
}

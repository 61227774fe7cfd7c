namespace Podlift.Cli.Delivery;

/// <summary>
/// What the <see cref="PushReceiver"/> answers when Docker asks whether a layer blob is there: "no" makes Docker
/// upload it, compressed; "yes" makes it skip it. Pure.
/// </summary>
public static class BlobAnswer
{
    /// <summary>
    /// Docker's gzip costs about 3 times what `docker save` costs per byte (12.3 s and 4.0 s of the daemon's
    /// CPU for 500 MB of random bytes, Docker 20.10), so a layer a server lacks is uploaded only while it is
    /// small against the image; a bigger one is said to be there and reaches that server in a `docker save`
    /// stream instead. A layer whose blob size is not known yet (Docker only asked about it before) is uploaded.
    /// </summary>
    public const int UploadWhileSmallerThanImageBy = 4;

    /// <param name="digest">The blob Docker asks about.</param>
    /// <param name="needed">Whether a server that takes the push lacks this layer (a diff id).</param>
    /// <param name="imageSize">The image's size, as the local Docker reports it.</param>
    /// <param name="unknownIsThere">
    /// A digest never seen here is one Docker has from another registry (or from pulling): on a first push it is
    /// said to be there (the manifest then tells which layer it is, at no cost); on a second push, made because a
    /// server lacks such a layer, it is not, so Docker uploads it.
    /// </param>
    public static bool IsThere(string digest, LayerDigests known, Func<string, bool> needed, long imageSize, bool unknownIsThere = true)
    {
        if (known.Find(digest) is not { } blob) return unknownIsThere;
        if (!needed(blob.DiffId)) return true;
        return blob.Size is { } size && size > imageSize / UploadWhileSmallerThanImageBy;
    }

    /// <summary>Whether a second push would bring layers the first did not: needed ones Docker was told were there, now known and small.</summary>
    public static bool PushAgain(PushedImage pushed, LayerDigests known, Func<string, bool> needed, long imageSize) =>
        pushed.Layers.Any(layer => layer.Blob is null && needed(layer.DiffId) && !IsThere(layer.Digest, known, needed, imageSize));
}

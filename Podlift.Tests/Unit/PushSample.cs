using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

/// <summary>
/// An image of three layers as a push to the receiver delivers it: each layer's content, its diff id, its gzip
/// blob and that blob's digest; the config (rootfs.diff_ids) and a schema 2 manifest like the one Docker 20.10 puts.
/// </summary>
internal static class PushSample
{
    public static readonly byte[][] Contents = [Enumerable.Repeat((byte)1, 3000).ToArray(), Enumerable.Repeat((byte)2, 2000).ToArray(), "app v2"u8.ToArray()];
    public static readonly string[] DiffIds = Contents.Select(Digest).ToArray();
    public static readonly byte[][] Blobs = Contents.Select(Gzip).ToArray();
    public static readonly string[] BlobDigests = Blobs.Select(Digest).ToArray();
    public static readonly byte[] Config = Encoding.UTF8.GetBytes(
        """{"architecture":"amd64","config":{},"os":"linux","rootfs":{"type":"layers","diff_ids":[""" + string.Join(",", DiffIds.Select(d => $"\"{d}\"")) + "]}}");
    public static readonly string ConfigDigest = Digest(Config);
    public const string Repository = "podlift/app";

    /// <summary>As Docker 20.10 put it: a layer it was told was there has no size.</summary>
    public static byte[] Manifest(string? configDigest = null) => Encoding.UTF8.GetBytes($$"""
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": { "mediaType": "application/vnd.docker.container.image.v1+json", "size": {{Config.Length}}, "digest": "{{configDigest ?? ConfigDigest}}" },
           "layers": [
              { "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": "{{BlobDigests[0]}}" },
              { "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": "{{BlobDigests[1]}}" },
              { "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": {{Blobs[2].Length}}, "digest": "{{BlobDigests[2]}}" }
           ]
        }
        """);

    public static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>A blob store holding the config and the given layers' blobs, as if Docker had uploaded them.</summary>
    public static async Task<BlobStore> StoreAsync(params int[] uploadedLayers)
    {
        var store = new BlobStore();
        foreach (var (data, digest) in uploadedLayers.Select(i => (Blobs[i], BlobDigests[i])).Append((Config, ConfigDigest)))
        {
            using var upload = store.Begin();
            await upload.AppendAsync(new MemoryStream(data), CancellationToken.None);
            await upload.CommitAsync(digest, CancellationToken.None);
        }
        return store;
    }

    public static Task<PushedImage> PushedAsync(BlobStore store) =>
        PushedImage.AssembleAsync(RegistryManifest.Parse(Manifest()), store, ConfigDigest, DiffIds, CancellationToken.None);

    /// <summary>A server that has the first <paramref name="present"/> layers.</summary>
    public static LayerSelection ServerWith(int present) => LayerSelection.For(DiffIds, Podlift.Protocol.LayerChain.ChainIds(DiffIds).Skip(present));
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace Podlift.Cli.Delivery;

/// <summary>
/// An image manifest as Docker pushes it (Docker's schema 2, or OCI): the config blob and the layer blobs,
/// bottom first. The layers are named by the digests of their compressed blobs; the config's rootfs.diff_ids
/// name the same layers, in the same order, by their uncompressed content. Pure.
/// </summary>
public sealed partial record RegistryManifest(string ConfigDigest, IReadOnlyList<string> LayerDigests)
{
    private static readonly string[] ImageManifestTypes =
        ["application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json"];

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    public static partial Regex Digest();

    /// <summary>A manifest list, an OCI index or a schema 1 manifest is not one image: <see cref="InvalidDataException"/>.</summary>
    public static RegistryManifest Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var root = JsonDocument.Parse(json.ToArray()).RootElement;
            var schema = root.TryGetProperty("schemaVersion", out var version) && version.ValueKind == JsonValueKind.Number ? version.GetInt32() : 0;
            var mediaType = root.TryGetProperty("mediaType", out var type) ? type.GetString() : null;
            // an OCI manifest may leave mediaType out; an index has "manifests" instead of "layers"
            if (schema != 2 || (mediaType is not null && !ImageManifestTypes.Contains(mediaType)) || !root.TryGetProperty("layers", out var layers))
                throw new InvalidDataException($"not a single-image manifest (schemaVersion {schema}, {mediaType ?? "no media type"})");
            var config = DigestOf(root.GetProperty("config"));
            return new RegistryManifest(config, layers.EnumerateArray().Select(DigestOf).ToList());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"the manifest cannot be read: {e.Message}");
        }
    }

    /// <summary>An image config's rootfs.diff_ids: the layers' uncompressed digests, bottom first.</summary>
    public static IReadOnlyList<string> DiffIds(ReadOnlySpan<byte> configJson)
    {
        try
        {
            var rootfs = JsonDocument.Parse(configJson.ToArray()).RootElement.GetProperty("rootfs");
            return rootfs.GetProperty("diff_ids").EnumerateArray().Select(id => Checked(id.GetString())).ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"the image config cannot be read: {e.Message}");
        }
    }

    private static string DigestOf(JsonElement descriptor) => Checked(descriptor.GetProperty("digest").GetString());

    private static string Checked(string? digest) =>
        digest is not null && Digest().IsMatch(digest) ? digest : throw new InvalidDataException($"not a sha256 digest: {digest}");
}

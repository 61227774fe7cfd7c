using System.Text.Json;
using System.Text.Json.Serialization;

namespace Podlift.Cli.Delivery;

/// <param name="DiffId">The layer (uncompressed digest).</param>
/// <param name="Size">The compressed blob's size, when it went through a push to this machine; null when Docker only asked about it.</param>
/// <param name="Seen">When a push last named it (unix seconds): the oldest are forgotten first.</param>
public sealed record KnownBlob(
    [property: JsonPropertyName("diff_id")] string DiffId,
    [property: JsonPropertyName("size")] long? Size,
    [property: JsonPropertyName("seen")] long Seen);

/// <summary>
/// Which layer each compressed blob digest Docker pushed here is, learned from the manifests of earlier pushes
/// (a manifest lists the blobs in the order of the config's diff ids). Docker asks about a layer by its blob
/// digest only; with this, the receiver can tell "a layer a server lacks" (say no, so Docker uploads it) from
/// "a layer the servers have" (say yes). Kept in the user's cache directory: digests only, nothing secret.
/// </summary>
public sealed class LayerDigests
{
    public const int MaxEntries = 4096;
    private readonly Dictionary<string, KnownBlob> _blobs;

    private LayerDigests(Dictionary<string, KnownBlob> blobs) => _blobs = blobs;

    public static LayerDigests Empty() => new(new Dictionary<string, KnownBlob>(StringComparer.Ordinal));

    public int Count => _blobs.Count;

    public KnownBlob? Find(string digest) => _blobs.GetValueOrDefault(digest);

    /// <summary>Every layer of a push: its digest and diff id, with the size if the blob was uploaded (else the size known before).</summary>
    public void Learn(PushedImage image, DateTimeOffset now)
    {
        foreach (var layer in image.Layers)
        {
            var size = layer.Blob?.Size ?? _blobs.GetValueOrDefault(layer.Digest)?.Size;
            _blobs[layer.Digest] = new KnownBlob(layer.DiffId, size, now.ToUnixTimeSeconds());
        }
        if (_blobs.Count <= MaxEntries) return;
        foreach (var (digest, _) in _blobs.OrderBy(b => b.Value.Seen).Take(_blobs.Count - MaxEntries).ToList()) _blobs.Remove(digest);
    }

    public static LayerDigests Parse(string json)
    {
        try
        {
            var blobs = JsonSerializer.Deserialize(json, LayerDigestsJson.Default.DictionaryStringKnownBlob);
            return new LayerDigests(new Dictionary<string, KnownBlob>(
                (blobs ?? []).Where(b => RegistryManifest.Digest().IsMatch(b.Key) && b.Value?.DiffId is { } id && RegistryManifest.Digest().IsMatch(id)),
                StringComparer.Ordinal));
        }
        catch (JsonException)
        {
            return Empty(); // a damaged file only costs one push that uploads a little more
        }
    }

    public string ToJson() => JsonSerializer.Serialize(_blobs, LayerDigestsJson.Default.DictionaryStringKnownBlob);

    /// <summary>$XDG_CACHE_HOME/podlift/layer-digests.json, or ~/.cache/podlift/layer-digests.json.</summary>
    public static string DefaultPath()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "podlift", "layer-digests.json");
    }

    /// <summary>The file's content; empty when there is none or it cannot be read.</summary>
    public static LayerDigests Load(string path)
    {
        try
        {
            return File.Exists(path) ? Parse(File.ReadAllText(path)) : Empty();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Empty();
        }
    }

    /// <summary>Written whole (a temporary file, then renamed), mode 0600; a failure to write only costs the knowledge.</summary>
    public void Save(string path)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllText(temporary, ToJson());
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

[JsonSerializable(typeof(Dictionary<string, KnownBlob>))]
internal sealed partial class LayerDigestsJson : JsonSerializerContext;

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Podlift.Cli.Delivery;

/// <summary>
/// Which layer a directory of a classic `docker save` (Docker before 25: &lt;v1 id&gt;/json, &lt;v1 id&gt;/layer.tar)
/// holds. The stream names layer directories by a "v1 id", not by content, and its manifest.json comes last,
/// after the layers. Docker derives the v1 id from the directory's own json, the layer's chain id and the
/// parent's v1 id (sha256 of the json without "id", with "layer_id" and a "sha256:" parent added, keys sorted;
/// the lower layers were hashed before "os" was set). So a candidate chain id is proven, not guessed:
/// it is the one whose recomputed id equals the directory name. No match leaves the layer unidentified,
/// and an unidentified layer is always sent. Pure.
/// </summary>
public static class LegacyLayerId
{
    /// <returns>The index in <paramref name="chainIds"/> of the layer this directory holds, or null.</returns>
    public static int? Identify(string v1Id, ReadOnlySpan<byte> json, IReadOnlyList<string> chainIds)
    {
        SortedDictionary<string, string> fields;
        try
        {
            fields = TopLevelFields(json);
        }
        catch (JsonException)
        {
            return null;
        }
        fields.Remove("id");
        if (fields.TryGetValue("parent", out var parent))
            fields["parent"] = JsonSerializer.Serialize("sha256:" + JsonSerializer.Deserialize<string>(parent));

        var withoutOs = new SortedDictionary<string, string>(fields, StringComparer.Ordinal);
        withoutOs.Remove("os");
        foreach (var candidate in new[] { fields, withoutOs })
            for (var i = 0; i < chainIds.Count; i++)
            {
                candidate["layer_id"] = JsonSerializer.Serialize(chainIds[i]);
                if (Sha256Hex(Render(candidate)) == v1Id) return i;
            }
        return null;
    }

    /// <summary>The top-level keys with their values' raw JSON text, as Go keeps them in a map of json.RawMessage.</summary>
    private static SortedDictionary<string, string> TopLevelFields(ReadOnlySpan<byte> json)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("not an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            fields[name] = Encoding.UTF8.GetString(json[start..end]);
        }
        return fields;
    }

    /// <summary>Go's json.Marshal of a map: keys sorted, no spaces; the raw values were written compact by Go already.</summary>
    private static string Render(SortedDictionary<string, string> fields) =>
        "{" + string.Join(",", fields.Select(f => $"{JsonSerializer.Serialize(f.Key)}:{f.Value}")) + "}";

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

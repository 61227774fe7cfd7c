using System.Security.Cryptography;
using System.Text;

namespace Podlift.Protocol;

/// <summary>
/// Layer chain ids, as Docker's layer store names layers: the chain id of the bottom layer is its diff id,
/// and each next one is sha256("&lt;parent chain id&gt; &lt;diff id&gt;"). A server has a layer of an image exactly
/// when it has that layer's chain id (the same content on top of the same layers below).
/// </summary>
public static class LayerChain
{
    /// <param name="diffIds">An image's RootFS layers ("sha256:..."), bottom first.</param>
    /// <returns>One chain id per layer, in the same order.</returns>
    public static IReadOnlyList<string> ChainIds(IReadOnlyList<string> diffIds)
    {
        var chainIds = new string[diffIds.Count];
        for (var i = 0; i < diffIds.Count; i++)
        {
            var diffId = Normalize(diffIds[i]);
            chainIds[i] = i == 0
                ? diffId
                : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{chainIds[i - 1]} {diffId}")));
        }
        return chainIds;
    }

    /// <summary>A chain id as <see cref="ChainIds"/> makes them: sha256: and 64 lowercase hex digits.</summary>
    public static bool IsChainId(string value) =>
        value.Length == 71 && value.StartsWith("sha256:", StringComparison.Ordinal) && value[7..].All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static string Normalize(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71
            ? digest.ToLowerInvariant()
            : throw new FormatException($"not a sha256 layer digest: {digest}");
}

using Podlift.Protocol;

namespace Podlift.Cli.Delivery;

/// <summary>
/// Which layers of an image one server must be sent: those whose chain it lacks. Pure.
/// A layer's file in a save stream is named by its content (diff id), and the same content can sit at
/// two places in the chain: it is sent when any place that needs it is missing.
/// </summary>
public sealed class LayerSelection
{
    private readonly HashSet<string> _send;

    private LayerSelection(IReadOnlyList<string> diffIds, IReadOnlyList<string> chainIds, IReadOnlySet<string> missingChainIds)
    {
        DiffIds = diffIds;
        ChainIds = chainIds;
        _send = new HashSet<string>(diffIds.Where((_, i) => missingChainIds.Contains(chainIds[i])), StringComparer.Ordinal);
        MissingLayers = chainIds.Count(missingChainIds.Contains);
    }

    public IReadOnlyList<string> DiffIds { get; }
    public IReadOnlyList<string> ChainIds { get; }

    /// <summary>Layers (chain positions) the server lacks.</summary>
    public int MissingLayers { get; }

    public int PresentLayers => ChainIds.Count - MissingLayers;

    /// <summary>Nothing is left out: the stream is a plain `docker save`.</summary>
    public bool IsFull => PresentLayers == 0;

    /// <param name="diffIds">The image's RootFS layers, bottom first.</param>
    /// <param name="missingChainIds">What the server answered to MissingLayers.</param>
    public static LayerSelection For(IReadOnlyList<string> diffIds, IEnumerable<string> missingChainIds)
    {
        var normalized = diffIds.Select(d => d.ToLowerInvariant()).ToList();
        return new LayerSelection(normalized, LayerChain.ChainIds(normalized), missingChainIds.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Every layer: for a server that cannot say what it has, or refused a partial load.</summary>
    public static LayerSelection All(IReadOnlyList<string> diffIds)
    {
        var normalized = diffIds.Select(d => d.ToLowerInvariant()).ToList();
        var chainIds = LayerChain.ChainIds(normalized);
        return new LayerSelection(normalized, chainIds, chainIds.ToHashSet(StringComparer.Ordinal));
    }

    public bool IsLayer(string diffId) => DiffIds.Contains(diffId);

    /// <summary>Whether a layer file with this content goes into the stream. Content that is not a known layer always does.</summary>
    public bool MustSend(string? diffId) => diffId is null || !IsLayer(diffId) || _send.Contains(diffId);
}

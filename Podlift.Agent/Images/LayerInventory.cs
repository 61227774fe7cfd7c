using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Images;

/// <summary>Which layer chains this server's Docker holds: every prefix of every local image's layer chain.</summary>
public sealed class LayerInventory(IContainerRuntime runtime)
{
    public async Task<IReadOnlyList<string>> MissingAsync(IReadOnlyList<string> chainIds, CancellationToken cancellationToken)
    {
        var present = Present(await runtime.ImageLayersAsync(cancellationToken));
        return chainIds.Where(id => !present.Contains(id)).ToList();
    }

    /// <summary>The chain ids of all layers of the given images (each image's layer diff ids, bottom first).</summary>
    public static HashSet<string> Present(IEnumerable<IReadOnlyList<string>> imageLayers)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var diffIds in imageLayers)
            present.UnionWith(LayerChain.ChainIds(diffIds));
        return present;
    }
}

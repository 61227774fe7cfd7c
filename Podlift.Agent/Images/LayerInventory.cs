using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Images;

/// <summary>Which layer chains this server's Docker holds: every prefix of every local image's layer chain.</summary>
public sealed class LayerInventory(IContainerRuntime runtime)
{
    /// <summary>
    /// Measured with Docker 26.1: with the containerd image store, `docker load` of a stream without the layers
    /// the server has ends without an error and without the image. Such a server is sent the full image at once.
    /// </summary>
    public const string ContainerdStoreReason =
        "this server's Docker keeps images in the containerd image store, whose `docker load` needs every layer in the stream";

    public async Task<MissingLayersReply> MissingAsync(IReadOnlyList<string> chainIds, CancellationToken cancellationToken)
    {
        if (await runtime.UsesContainerdImageStoreAsync(cancellationToken))
            return new MissingLayersReply { MissingChainIds = { chainIds }, FullImageReason = ContainerdStoreReason };
        var present = Present(await runtime.ImageLayersAsync(cancellationToken));
        return new MissingLayersReply { MissingChainIds = { chainIds.Where(id => !present.Contains(id)) } };
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

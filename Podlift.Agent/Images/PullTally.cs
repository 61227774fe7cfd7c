using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Images;

/// <summary>
/// Sums Docker's per-layer pull messages into one progress figure: how many layers, how many were already
/// on the server, how many bytes are downloaded of how many. Pure.
/// </summary>
public sealed class PullTally
{
    private readonly Dictionary<string, Layer> _layers = [];

    private sealed class Layer
    {
        public bool Present;
        public bool Done;
        public long Downloaded;
        public long Size;
    }

    /// <summary>The statuses Docker gives a layer; anything else ("Pulling from ...", "Digest: ...") is about the image.</summary>
    private static readonly HashSet<string> LayerStatuses =
        ["Pulling fs layer", "Waiting", "Downloading", "Verifying Checksum", "Download complete", "Extracting", "Pull complete", "Already exists"];

    public void Observe(PullMessage message)
    {
        if (string.IsNullOrEmpty(message.Id) || message.Status is null || !LayerStatuses.Contains(message.Status)) return;
        if (!_layers.TryGetValue(message.Id, out var layer)) _layers[message.Id] = layer = new Layer();
        switch (message.Status)
        {
            case "Already exists":
                layer.Present = true;
                break;
            case "Downloading":
                if (message.Total > 0) layer.Size = message.Total;
                layer.Downloaded = Math.Max(layer.Downloaded, message.Current);
                break;
            case "Download complete":
            case "Extracting":
                layer.Downloaded = Math.Max(layer.Downloaded, layer.Size);
                break;
            case "Pull complete":
                layer.Downloaded = Math.Max(layer.Downloaded, layer.Size);
                layer.Done = true;
                break;
        }
    }

    public PullProgress Snapshot() => new()
    {
        Layers = _layers.Count,
        LayersPresent = _layers.Values.Count(l => l.Present),
        LayersDone = _layers.Values.Count(l => l.Done),
        BytesDownloaded = _layers.Values.Sum(l => l.Downloaded),
        BytesToDownload = _layers.Values.Where(l => !l.Present).Sum(l => Math.Max(l.Size, l.Downloaded)),
    };
}

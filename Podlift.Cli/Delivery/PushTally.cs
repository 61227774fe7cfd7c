namespace Podlift.Cli.Delivery;

/// <param name="Layers">Layers of the image.</param>
/// <param name="Pushed">Layers uploaded by this push.</param>
/// <param name="AlreadyThere">Layers the registry had (or mounted from another repository).</param>
public sealed record PushResult(int Layers, int Pushed, int AlreadyThere, long BytesPushed);

/// <summary>Sums Docker's per-layer push messages: which layers went up, which the registry had, how many bytes. Pure.</summary>
public sealed class PushTally
{
    private readonly Dictionary<string, (string Status, long Bytes)> _layers = [];

    public long BytesPushed => _layers.Values.Sum(l => l.Bytes);

    public void Observe(string? id, string? status, long current)
    {
        // the last message ("abc1234: digest: sha256:... size: 1150") is about the tag, not a layer
        if (string.IsNullOrEmpty(id) || status is null || status.Contains("digest:", StringComparison.Ordinal)) return;
        var bytes = _layers.TryGetValue(id, out var known) ? known.Bytes : 0;
        _layers[id] = (status, status == "Pushing" ? Math.Max(bytes, current) : bytes);
    }

    public PushResult Result() => new(
        _layers.Count,
        _layers.Values.Count(l => l.Status == "Pushed"),
        _layers.Values.Count(l => l.Status == "Layer already exists" || l.Status.StartsWith("Mounted from", StringComparison.Ordinal)),
        BytesPushed);
}

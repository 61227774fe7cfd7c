using System.Globalization;

namespace Podlift.Cli.Configuration;

/// <summary>How many servers one batch takes: a count (2), or a share of the servers (25%, at least one).</summary>
public readonly record struct BatchSize(int Servers, double Share)
{
    public static BatchSize Count(int servers) => new(servers, 0);

    public static BatchSize Of(double share) => new(0, share);

    /// <summary>Servers per batch out of <paramref name="total"/>.</summary>
    public int For(int total) => Math.Clamp(Servers > 0 ? Servers : (int)Math.Ceiling(total * Share - 1e-9), 1, Math.Max(1, total));

    public override string ToString() => Servers > 0
        ? Servers.ToString(CultureInfo.InvariantCulture)
        : (Share * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}

/// <summary>`rollout: { batch, wait }` or `deploy --parallel N`: the servers in batches, each all at once, a pause between them.</summary>
public sealed record BatchRollout(BatchSize Size, TimeSpan Wait)
{
    public const int MaxBatch = 1_000;
    public static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);

    /// <summary>The servers in batches, in their order (the primary first, so the first batch has it).</summary>
    public IReadOnlyList<IReadOnlyList<T>> Split<T>(IReadOnlyList<T> ordered)
    {
        var size = Size.For(ordered.Count);
        return ordered.Chunk(size).Select(batch => (IReadOnlyList<T>)batch).ToList();
    }
}

using System.Globalization;

namespace Podlift.Cli.Configuration;

/// <summary>Sizes as podlift.yml writes them: 512m, 2g, 100k, or bytes.</summary>
public static class ByteSizes
{
    public static string Format(long bytes) => bytes switch
    {
        _ when bytes % (1L << 30) == 0 => $"{bytes >> 30}g",
        _ when bytes % (1L << 20) == 0 => $"{bytes >> 20}m",
        _ when bytes % (1L << 10) == 0 => $"{bytes >> 10}k",
        _ => bytes.ToString(CultureInfo.InvariantCulture),
    };
}

namespace Podlift.Cli.Remote;

/// <summary>
/// The `key=value` lines a probe script prints (and os-release holds), as a map: keys and values trimmed, the
/// last line of a key wins, lines without `=` are skipped. Pure.
/// </summary>
public static class KeyValueLines
{
    public static IReadOnlyDictionary<string, string> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim())
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim());
}

using System.Globalization;
using System.Text.RegularExpressions;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;

namespace Podlift.Cli.Commands;

/// <summary>`podlift logs` flags, checked: --tail as a line count (or all), --since as a duration ago or a timestamp. Pure.</summary>
public sealed partial record LogsOptions(string Service, int Tail, long SinceUnixSeconds, bool Follow)
{
    public const int AllLines = -1;

    public static LogsOptions Parse(string service, string tail, string? since, bool follow, DateTimeOffset now) =>
        new(service, ParseTail(tail), since is null ? 0 : ParseSince(since, now), follow);

    public static int ParseTail(string text)
    {
        text = text.Trim();
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase)) return AllLines;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var lines)) return lines;
        throw new ConfigurationException($"--tail must be a number of lines, or all (got: {text})", "for example: --tail 100, -n 20, --tail all");
    }

    /// <summary>Unix seconds: "2h", "30m", "1h30m" ago, or an RFC 3339 timestamp (without an offset: local time).</summary>
    public static long ParseSince(string text, DateTimeOffset now)
    {
        text = text.Trim();
        if (DurationWithUnit().IsMatch(text) && Durations.TryParse(text, out var ago))
            return (now - ago).ToUnixTimeSeconds();
        if (Timestamp().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var at))
            return at.ToUnixTimeSeconds();
        throw new ConfigurationException($"--since must be a duration ago such as 2h or 30m, or a timestamp such as 2025-01-31T14:00:00Z (got: {text})",
            "for example: --since 2h, --since 15m, --since 2025-01-31T14:00:00+01:00");
    }

    [GeneratedRegex(@"^(\d+(\.\d+)?(ms|s|m|h))+$")]
    private static partial Regex DurationWithUnit();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$", RegexOptions.IgnoreCase)]
    private static partial Regex Timestamp();
}

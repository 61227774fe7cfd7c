using System.Globalization;
using System.Text.RegularExpressions;

namespace Podlift.Cli.Configuration;

/// <summary>Durations as users write them: 30s, 500ms, 5m, 1h, 1m30s; a bare number is seconds.</summary>
public static partial class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        try
        {
            return TryParseUnchecked(text, out duration);
        }
        catch (OverflowException)
        {
            duration = TimeSpan.Zero; // 1e300, Infinity, 99999999999999h: too long for a TimeSpan, so not a duration
            return false;
        }
    }

    private static bool TryParseUnchecked(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }
        var matches = Part().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text) return false;
        foreach (Match match in matches)
        {
            var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        }
        return true;
    }

    public static string Format(TimeSpan span) => span switch
    {
        { TotalMilliseconds: < 1000 } => $"{span.TotalMilliseconds:0}ms",
        { TotalSeconds: < 60 } => span.Milliseconds == 0 ? $"{span.TotalSeconds:0}s" : $"{span.TotalSeconds:0.0}s",
        { TotalMinutes: < 60 } => $"{(int)span.TotalMinutes}m{span.Seconds:00}s",
        _ => $"{(int)span.TotalHours}h{span.Minutes:00}m",
    };

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h)")]
    private static partial Regex Part();
}

using System.Globalization;

namespace Podlift.Protocol;

/// <summary>A share as podlift.yml, the flags and every message write one: 1% or 0.01 in, "10%" out. Pure.</summary>
public static class Shares
{
    /// <summary>The share from 0 to 1; false (and why) when the text is not one.</summary>
    public static bool TryParse(string text, out double share, out string problem)
    {
        text = text.Trim();
        var percent = text.EndsWith('%');
        (share, problem) = (0, "");
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
        {
            problem = $"must be a share such as 1% or 0.01 (got: {text})";
            return false;
        }
        if (percent) value /= 100;
        if (value is < 0 or > 1)
        {
            problem = $"must be between 0% and 100% (got: {text})";
            return false;
        }
        share = value;
        return true;
    }

    /// <summary>"10%", "2.5%".</summary>
    public static string Format(double share) => (share * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}

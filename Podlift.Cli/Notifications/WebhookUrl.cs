namespace Podlift.Cli.Notifications;

/// <summary>
/// A notify: URL as podlift may show it. A webhook's secret is in its path (hooks.slack.com/services/T0/B0/XyZ), its
/// query (?token=...) or its user info, so only the scheme, host and port are shown: https://hooks.slack.com/***. Pure.
/// </summary>
public static class WebhookUrl
{
    public const string Mask = "***";

    public static string Masked(Uri url)
    {
        var origin = url.GetLeftPart(UriPartial.Authority);
        if (url.UserInfo.Length > 0) origin = origin.Replace(url.UserInfo + "@", "", StringComparison.Ordinal);
        var rest = url.PathAndQuery.TrimStart('/').Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0;
        return rest ? $"{origin}/{Mask}" : origin;
    }

    /// <summary>A text (an exception's message) with every spelling of these URLs masked, so none of their secrets is printed.</summary>
    public static string Redact(string text, IEnumerable<Uri> urls)
    {
        foreach (var url in urls)
            foreach (var spelling in new[] { url.OriginalString, url.AbsoluteUri, url.ToString() }.Distinct().OrderByDescending(s => s.Length))
                text = text.Replace(spelling, Masked(url), StringComparison.OrdinalIgnoreCase);
        return text;
    }
}

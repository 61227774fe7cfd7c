using System.Globalization;
using System.Text.RegularExpressions;

namespace Podlift.Agent.Proxy;

/// <summary>Reads back, from a config nginx runs, the backends it routes to. Pure.</summary>
public static partial class NginxSiteReader
{
    /// <summary>
    /// The servers of the config's upstream block (a canary's beside it is not what the site serves: its own upstream);
    /// null when the text is not a podlift site for <paramref name="app"/>.
    /// </summary>
    public static IReadOnlyList<(string Address, int Port)>? Backends(string config, string app) =>
        IsSiteOf(config, app)
            ? ServerLine().Matches(CanaryUpstream().Replace(config, "")).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList()
            : null;

    /// <summary>Whether the config splits the app's clients with a canary.</summary>
    public static bool HasCanary(string config) => CanaryUpstream().IsMatch(config);

    /// <summary>The host names the site answers (empty: it is the default site); null when the text is not a podlift site for <paramref name="app"/>.</summary>
    public static IReadOnlyList<string>? ServerNames(string config, string app) =>
        IsSiteOf(config, app)
            ? ServerNameLine().Matches(config).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(name => name != "_").Distinct(StringComparer.OrdinalIgnoreCase).ToList()
            : null;

    private static bool IsSiteOf(string config, string app)
    {
        var prefix = $"{NginxSiteRenderer.HeaderPrefix}{app}";
        if (!config.StartsWith(prefix, StringComparison.Ordinal)) return false;
        // "for shop." or (written by agents before 0.2) "for shop <version>.", never "for shop-admin."
        return config.Length > prefix.Length && config[prefix.Length] is '.' or ' ';
    }

    [GeneratedRegex(@"^\s*server\s+(\S+):(\d+)\s", RegexOptions.Multiline)]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"^upstream\s+\S+\s*\{ " + NginxSiteRenderer.CanaryMark + @"[^}]*\}", RegexOptions.Multiline)]
    private static partial Regex CanaryUpstream();

    [GeneratedRegex(@"^\s*server_name\s+([^;]+);", RegexOptions.Multiline)]
    private static partial Regex ServerNameLine();
}

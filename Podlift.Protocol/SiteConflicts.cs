namespace Podlift.Protocol;

/// <summary>An app's nginx site on a server: the host names it answers (none: it is the server's default site).</summary>
public sealed record SiteNames(string App, IReadOnlyList<string> Domains);

/// <summary>
/// nginx on one server serves one default site and sends each host name to one site: two apps without
/// `domain:`, or two that share a host name, cannot both be served there. The CLI checks it before a
/// deploy (from what the agents report), the agent again before it starts anything. Pure.
/// </summary>
public static class SiteConflicts
{
    /// <summary>Why <paramref name="app"/> with <paramref name="domains"/> clashes with one of <paramref name="sites"/>, or null.</summary>
    public static string? Find(string app, IReadOnlyList<string> domains, IEnumerable<SiteNames> sites)
    {
        foreach (var other in sites.Where(s => s.App != app).OrderBy(s => s.App, StringComparer.Ordinal))
        {
            if (domains.Count == 0 && other.Domains.Count == 0)
                return $"{other.App} is already this server's default site (neither {app} nor {other.App} has `domain:`), and nginx serves only one";
            if (other.Domains.Intersect(domains, StringComparer.OrdinalIgnoreCase).FirstOrDefault() is { } shared)
                return $"{other.App} already answers for {shared} on this server";
        }
        return null;
    }
}

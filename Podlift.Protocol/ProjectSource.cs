namespace Podlift.Protocol;

/// <summary>
/// The project a deploy comes from, as its git origin remote names it (or host:path when it has none). Pure.
/// A remote may carry a credential (a CI token in https://ci:TOKEN@host/org/repo.git): what is sent to a
/// server, stored or shown is <see cref="WithoutCredentials"/>, and two sources name the same project when
/// their <see cref="Identity"/> is equal, so a token that changes with every CI run still names one project.
/// </summary>
public static class ProjectSource
{
    /// <summary>
    /// The source with no credential in it: a URL (scheme://...) loses its whole user-info (user and password:
    /// a token may stand alone as the user, as GitHub allows) and any ?query or #fragment. The scp-like form
    /// (git@host:org/repo.git) keeps its user: that is an SSH login name, and that syntax cannot carry a password;
    /// a user:password there is dropped all the same. Local paths have nothing to strip.
    /// </summary>
    public static string WithoutCredentials(string source)
    {
        var trimmed = source.Trim();
        if (Url(trimmed) is { } url) return $"{url.Scheme}://{url.HostAndPort}{url.Path}";
        if (ScpLike(trimmed) is { } scp) return $"{(scp.User is { } user ? user + "@" : "")}{scp.Host}:{scp.Path}";
        return trimmed;
    }

    /// <summary>
    /// What names the project: the host (lower case, without user or port) and the repository path (without a
    /// leading or trailing / and a trailing .git), whatever the transport, so https://github.com/org/repo,
    /// ssh://git@github.com:22/org/repo.git and git@github.com:org/repo.git are one project. A local path is
    /// itself, without a trailing / or .git. For comparing only; show <see cref="WithoutCredentials"/>.
    /// </summary>
    public static string Identity(string source)
    {
        var trimmed = source.Trim();
        if (Url(trimmed) is { } url)
            return url.Host.Length > 0 ? $"{url.Host.ToLowerInvariant()}/{RepositoryPath(url.Path)}" : LocalPath(url.Path);
        if (ScpLike(trimmed) is { } scp) return $"{scp.Host.ToLowerInvariant()}/{RepositoryPath(scp.Path)}";
        return LocalPath(trimmed);
    }

    public static bool SameProject(string a, string b) => Identity(a) == Identity(b);

    private sealed record UrlParts(string Scheme, string Host, string HostAndPort, string Path);

    private sealed record ScpParts(string? User, string Host, string Path);

    /// <summary>scheme://[userinfo@]host[:port][/path][?query][#fragment]; null when it is not a URL.</summary>
    private static UrlParts? Url(string source)
    {
        var separator = source.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0 || !source[..separator].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return null;
        var rest = source[(separator + 3)..];
        var pathStart = rest.IndexOf('/');
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var hostAndPort = WithoutQuery(authority[(authority.LastIndexOf('@') + 1)..]);
        var path = pathStart < 0 ? "" : WithoutQuery(rest[pathStart..]);
        return new UrlParts(source[..separator], WithoutPort(hostAndPort), hostAndPort, path);
    }

    /// <summary>
    /// Git's scp-like syntax, [user@]host:path, which it assumes when a colon comes before any slash; null for
    /// anything else (a local path). host:path is also the form of a project without an origin remote.
    /// </summary>
    private static ScpParts? ScpLike(string source)
    {
        if (source.StartsWith('/') || source.StartsWith('.') || source.StartsWith('~')) return null;
        var firstSlash = source.IndexOf('/');
        var head = firstSlash < 0 ? source : source[..firstSlash];
        // the user ends at the last @ that a host and its colon follow (a password may hold an @, a path too)
        for (var at = head.LastIndexOf('@'); at > 0; at = head.LastIndexOf('@', at - 1))
        {
            if (HostColon(head[(at + 1)..]) is var hostColon and > 0)
            {
                var user = source[..at];
                var colon = at + 1 + hostColon;
                return new ScpParts(user.Contains(':') ? null : user, source[(at + 1)..colon], source[(colon + 1)..]);
            }
        }
        var plainColon = HostColon(head);
        return plainColon > 0 ? new ScpParts(null, source[..plainColon], source[(plainColon + 1)..]) : null;
    }

    /// <summary>The colon that ends the host ([v6::address] in brackets included), or -1.</summary>
    private static int HostColon(string text)
    {
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            return close > 0 && close + 1 < text.Length && text[close + 1] == ':' ? close + 1 : -1;
        }
        return text.IndexOf(':');
    }

    private static string WithoutPort(string hostAndPort)
    {
        if (hostAndPort.StartsWith('[')) return hostAndPort[..(hostAndPort.IndexOf(']') is var close and > 0 ? close + 1 : hostAndPort.Length)];
        var colon = hostAndPort.IndexOf(':');
        return colon < 0 ? hostAndPort : hostAndPort[..colon];
    }

    private static string WithoutQuery(string text) => text.IndexOfAny(['?', '#']) is var end and >= 0 ? text[..end] : text;

    private static string RepositoryPath(string path) => WithoutGitSuffix(path.Trim('/')).Trim('/');

    private static string LocalPath(string path) => path.Length > 1 ? WithoutGitSuffix(path.TrimEnd('/')).TrimEnd('/') : path;

    private static string WithoutGitSuffix(string path) => path.EndsWith(".git", StringComparison.Ordinal) ? path[..^4] : path;
}

namespace Podlift.Agent.Proxy;

/// <summary>What differs between the nginx versions podlift meets on servers (Debian 12: 1.22, Debian 13: 1.26). Pure.</summary>
public static class NginxVersions
{
    /// <summary>
    /// nginx 1.25.1 introduced `http2 on;` and deprecated `listen ... http2` (which still works, with a
    /// warning). An unknown version gets the old form, which every nginx since 1.9.5 understands.
    /// </summary>
    public static bool HasHttp2Directive(string version) => Parse(version) is { } parsed && parsed >= new Version(1, 25, 1);

    private static Version? Parse(string version)
    {
        var numeric = new string(version.TakeWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray());
        return Version.TryParse(numeric, out var parsed) ? parsed : null;
    }
}

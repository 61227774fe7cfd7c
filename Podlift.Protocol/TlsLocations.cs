namespace Podlift.Protocol;

/// <summary>
/// The only two places podlift keeps certificates on a server: certbot's live directory for the domain, and
/// podlift's own directory for the app's uploaded files (`proxy.ssl: manual`). The agent accepts TLS files
/// from nowhere else.
/// </summary>
public static class TlsLocations
{
    public const string CertificateFile = "fullchain.pem";
    public const string KeyFile = "privkey.pem";

    public static string LetsEncryptDirectory(string domain) => $"/etc/letsencrypt/live/{domain}/";

    public static string ManualDirectory(string app) => $"/etc/podlift/tls/{app}/";

    /// <summary>A file directly in one of the two directories, named plainly (no separator, no leading dot).</summary>
    public static bool IsAllowed(string path, string app, string domain)
    {
        string[] directories = domain.Length > 0 && Names.IsDomain(domain)
            ? [LetsEncryptDirectory(domain), ManualDirectory(app)]
            : [ManualDirectory(app)];
        return Names.IsName(app) && directories.Any(directory =>
            path.StartsWith(directory, StringComparison.Ordinal) && IsPlainFileName(path[directory.Length..]));
    }

    private static bool IsPlainFileName(string name) =>
        name.Length is > 0 and <= 255 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}

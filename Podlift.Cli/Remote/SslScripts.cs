using System.Globalization;
using System.Text.RegularExpressions;

namespace Podlift.Cli.Remote;

/// <summary>
/// The root shell scripts of `podlift ssl`. Domain, email and ACME URL are validated by the config
/// loader (no quotes, no spaces), so single-quoting them is safe. Pure.
/// </summary>
public static partial class SslScripts
{
    public const string Webroot = Podlift.Protocol.AgentProtocol.AcmeWebroot;
    private const string ReloadHook = "systemctl reload nginx";

    public const string InstallCertbot = """
        set -eu
        export DEBIAN_FRONTEND=noninteractive
        state=unchanged
        if ! command -v certbot >/dev/null 2>&1; then
          apt-get update -qq >/dev/null 2>&1 || true
          apt-get install -y -qq --no-install-recommends certbot >/dev/null
          state=changed
        fi
        systemctl enable --quiet --now certbot.timer 2>/dev/null || true
        echo "result=$state detail=$(certbot --version 2>&1)"
        """;

    /// <summary>One certificate for every host name, named after the first (its files are in /etc/letsencrypt/live/&lt;first&gt;/).</summary>
    public static string Obtain(IReadOnlyList<string> domains, string email, string acmeServer) => $"""
        set -eu
        mkdir -p {Webroot}
        certbot certonly --webroot -w {Webroot} --cert-name '{domains[0]}' {string.Join(' ', domains.Select(d => $"-d '{d}'"))} -m '{email}' --agree-tos --non-interactive \
          --keep-until-expiring --expand --server '{acmeServer}' --deploy-hook '{ReloadHook}' 2>&1
        """;

    /// <summary>certbot's default (renew_before_expiry): `certbot renew` leaves a certificate with more days left alone.</summary>
    public const int RenewsWithinDays = 30;

    public static string Renew(bool force) =>
        $"certbot renew --non-interactive --deploy-hook '{ReloadHook}'{(force ? " --force-renewal" : "")} 2>&1";

    public static string Inspect(string certificatePath) => $"""
        c='{certificatePath}'
        if [ -f "$c" ]; then
          echo "issuer=$(openssl x509 -noout -issuer -in "$c" | sed 's/^issuer= *//')"
          echo "expires=$(openssl x509 -noout -enddate -in "$c" | cut -d= -f2)"
        fi
        echo "timer=$(systemctl is-active certbot.timer 2>/dev/null || true)"
        exit 0
        """;

    public sealed record CertificateStatus(string? Issuer, DateTimeOffset? Expires, string RenewalTimer)
    {
        public int? DaysLeft(DateTimeOffset now) => Expires is { } expires ? (int)Math.Floor((expires - now).TotalDays) : null;
    }

    public static CertificateStatus ParseInspect(string output)
    {
        var values = KeyValueLines.Parse(output);
        DateTimeOffset? expires = null;
        if (values.TryGetValue("expires", out var text))
        {
            // openssl: "Feb 26 12:00:00 2027 GMT", days padded with a space
            var normalized = Spaces().Replace(text, " ");
            if (DateTimeOffset.TryParseExact(normalized, "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out var parsed)) expires = parsed;
        }
        return new CertificateStatus(values.GetValueOrDefault("issuer"), expires, values.GetValueOrDefault("timer", "unknown"));
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

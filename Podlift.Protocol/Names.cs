using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Podlift.Protocol;

/// <summary>
/// The naming rules both sides enforce: the CLI on podlift.yml, the agent on every request it is sent
/// (a member of the socket's group can call it directly). A name that passes cannot leave the directory,
/// the nginx directive or the Docker object it becomes part of. Pure.
/// </summary>
public static partial class Names
{
    public const int MaxNameLength = 63;
    public const int MaxHostLength = 253;

    /// <summary>What <see cref="IsName"/> accepts, for error messages.</summary>
    public const string NameRule = "lowercase letters, digits and dashes, starting with a letter, at most 63 characters";

    public const string VolumeRule =
        "name:/container/path or /host/path:/container/path, optionally ending in :ro or :rw (absolute paths without .. segments)";

    /// <summary>
    /// App, service, dependency and role names. An app name becomes /var/lib/podlift/&lt;app&gt;, the nginx
    /// site podlift-&lt;app&gt;.conf, container and network names; a dependency's name is a DNS alias (one label).
    /// </summary>
    public static bool IsName(string value) => value.Length <= MaxNameLength && NamePattern().IsMatch(value);

    /// <summary>Letters, digits and underscores, not starting with a digit: what a shell and Docker both take.</summary>
    public static bool IsEnvironmentVariable(string value) =>
        value.Length > 0 && !char.IsAsciiDigit(value[0]) && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>A DNS name such as myapp.example.com: what nginx's server_name and certbot take.</summary>
    public static bool IsDomain(string value) => value.Length <= MaxHostLength && DomainPattern().IsMatch(value);

    /// <summary>
    /// A server's address: an IPv4 or IPv6 address, or a host name (underscores allowed, as in /etc/hosts
    /// and ssh aliases). Never starts with a dash, so it cannot pass for an ssh option.
    /// </summary>
    public static bool IsHost(string value) =>
        value.Length is > 0 and <= MaxHostLength && (HostNamePattern().IsMatch(value) || IsIPv6(value));

    /// <summary>A registry host, with its port unless it is 443, such as ghcr.io or registry.example.com:5000.</summary>
    public static bool IsRegistryServer(string value) => value.Length <= MaxHostLength + 6 && RegistryServerPattern().IsMatch(value);

    public static bool IsRestartPolicy(string value) => RestartPolicyPattern().IsMatch(value);

    /// <summary>
    /// A volume as Docker's binds take it: a named volume or an absolute host path, then the absolute path in
    /// the container, then optionally ro or rw. No .. segments: a path means what it says.
    /// </summary>
    public static bool IsVolume(string value)
    {
        var parts = value.Split(':');
        if (parts.Length is < 2 or > 3) return false;
        var (source, target) = (parts[0], parts[1]);
        var sourceValid = source.StartsWith('/') ? IsAbsolutePath(source) : VolumeNamePattern().IsMatch(source);
        return sourceValid && IsAbsolutePath(target) && (parts.Length == 2 || parts[2] is "ro" or "rw");
    }

    /// <summary>Starts with /, has no .. segment and no control character.</summary>
    public static bool IsAbsolutePath(string path) =>
        path.StartsWith('/') && !path.Any(char.IsControl) && !path.Split('/').Contains("..");

    private static bool IsIPv6(string value) =>
        value.Contains(':') && value.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
        && IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    [GeneratedRegex(@"^[a-z][a-z0-9-]*\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\z")]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*\z")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:\d{1,5})?\z")]
    private static partial Regex RegistryServerPattern();

    [GeneratedRegex(@"^(no|always|unless-stopped|on-failure(:\d+)?)\z")]
    private static partial Regex RestartPolicyPattern();

    /// <summary>Docker's rule for volume names.</summary>
    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]*\z")]
    private static partial Regex VolumeNamePattern();

    /// <summary>An IP address or a CIDR range (IPv4 or IPv6), as nginx's set_real_ip_from and geo read it.</summary>
    public static bool IsAddressOrNetwork(string text) =>
        text.Length is > 0 and <= 64 && !text.Contains('%') && (System.Net.IPAddress.TryParse(text, out _) || System.Net.IPNetwork.TryParse(text, out _));
}

using System.Text;
using Google.Protobuf.Collections;
using Podlift.Agent.Deploy;
using Podlift.Protocol;

namespace Podlift.Agent.Rpc.Validation;

/// <summary>
/// The named rules a request's fields must keep. Checks run in order and the first broken rule is kept as
/// the problem: the field, what it must be, and the value it had (never for secrets, env values or
/// commands). Pure.
/// </summary>
public sealed class FieldChecks
{
    private const int ShownLength = 80;

    public string? Problem { get; private set; }

    public FieldChecks Name(string field, string value) =>
        Require(Names.IsName(value), field, $"must be {Names.NameRule}", value);

    /// <summary>Empty means "every app" or "not set", depending on the request.</summary>
    public FieldChecks NameOrEmpty(string field, string value) => value.Length == 0 ? this : Name(field, value);

    /// <summary>A version is an image tag and part of container names and journal file names.</summary>
    public FieldChecks Version(string field, string value) =>
        Require(ImageReference.IsTag(value), field, "must be a version: letters, digits, _ . -, not starting with . or -, at most 128 characters", value);

    public FieldChecks VersionOrEmpty(string field, string value) => value.Length == 0 ? this : Version(field, value);

    /// <summary>A deploy id names the job's journal file: /var/lib/podlift/&lt;app&gt;/journal/&lt;id&gt;.jsonl.</summary>
    public FieldChecks DeployId(string field, string value) =>
        Require(JobSpec.IsDeployId(value), field, "must be a deploy id such as 20250601T123000000Z-abc1234", value);

    public FieldChecks DeployIdOrEmpty(string field, string value) => value.Length == 0 ? this : DeployId(field, value);

    public FieldChecks Image(string field, string value) =>
        Require(ImageReference.IsValid(value), field, "must be an image reference such as myapp:abc1234 or ghcr.io/me/myapp:abc1234", value);

    public FieldChecks Host(string field, string value) =>
        Require(Names.IsHost(value), field, "must be an IP address or a host name", value);

    public FieldChecks HostOrEmpty(string field, string value) => value.Length == 0 ? this : Host(field, value);

    /// <summary>nginx's server_name: empty for the server's default site.</summary>
    public FieldChecks DomainOrEmpty(string field, string value) =>
        value.Length == 0 ? this : Require(Names.IsDomain(value), field, "must be a host name such as myapp.example.com", value);

    public FieldChecks RegistryServer(string field, string value) =>
        Require(Names.IsRegistryServer(value), field, "must be a registry host such as ghcr.io or registry.example.com:5000", value);

    public FieldChecks Port(string field, int value) => Between(field, value, 1, 65535);

    /// <summary>0 means none (not exposed, not published).</summary>
    public FieldChecks PortOrZero(string field, int value) => Between(field, value, 0, 65535);

    public FieldChecks Between(string field, long value, long min, long max) =>
        Record(value >= min && value <= max, field, $"must be between {min} and {max}", value.ToString());

    public FieldChecks Between(string field, double value, double min, double max) =>
        Record(value >= min && value <= max, field, $"must be between {min} and {max}", value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>0 means the default.</summary>
    public FieldChecks Milliseconds(string field, long value, TimeSpan max) => Between(field, value, 0, (long)max.TotalMilliseconds);

    public FieldChecks AtMost(string field, int count, int max) =>
        Record(count <= max, field, $"must have at most {max} entries", count.ToString());

    /// <summary>One line: no line break or other control character (it may end up in a log line or a config comment).</summary>
    public FieldChecks Line(string field, string value, int maxLength) =>
        AtMostCharacters(field, value, maxLength)
            .Require(!value.Any(char.IsControl), field, "must be one line without control characters", value);

    /// <summary>Free text, such as a commit message or a hook command: bounded, and no NUL.</summary>
    public FieldChecks Text(string field, string value, int maxLength) =>
        AtMostCharacters(field, value, maxLength)
            .Require(!value.Contains('\0'), field, "must not contain a NUL character", null);

    /// <summary>Like <see cref="Text"/>, but the value is never shown: it may be a password, an env value or a command with one.</summary>
    public FieldChecks Secret(string field, string value, int maxLength) =>
        AtMostCharacters(field, value, maxLength)
            .Require(!value.Contains('\0'), field, "must not contain a NUL character", null);

    public FieldChecks Volume(string field, string value) =>
        Require(value.Length <= RequestLimits.PathLength && Names.IsVolume(value), field, $"must be {Names.VolumeRule}", value);

    /// <summary>Variable names as a shell and Docker take them; the values are secrets.</summary>
    public FieldChecks Environment(string field, MapField<string, string> variables)
    {
        AtMost(field, variables.Count, RequestLimits.Variables);
        foreach (var (name, value) in variables)
        {
            Require(Names.IsEnvironmentVariable(name), $"{field}[{Show(name)}]",
                "must be named with letters, digits and underscores, not starting with a digit", null);
            Secret($"{field}[{name}]", value, RequestLimits.VariableLength);
        }
        return this;
    }

    /// <summary>A command's arguments: passed to Docker as a list, never through a shell; not shown (they may hold secrets).</summary>
    public FieldChecks Arguments(string field, RepeatedField<string> arguments)
    {
        AtMost(field, arguments.Count, RequestLimits.Arguments);
        for (var i = 0; i < arguments.Count; i++) Secret($"{field}[{i}]", arguments[i], RequestLimits.ArgumentLength);
        return this;
    }

    /// <summary>A certificate or key nginx reads: only from the two places podlift keeps them.</summary>
    public FieldChecks TlsFile(string field, string path, string app, string domain) =>
        Require(TlsLocations.IsAllowed(path, app, domain), field,
            $"must be a file in {(domain.Length > 0 ? TlsLocations.LetsEncryptDirectory(domain) + " or " : "")}{TlsLocations.ManualDirectory(app)}", path);

    /// <summary>The path of a health check's URL on the container's port.</summary>
    public FieldChecks UrlPath(string field, string value) =>
        Require(value.Length <= RequestLimits.PathLength && value.StartsWith('/') && !value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)),
            field, "must be a URL path starting with /, without spaces", value);

    public FieldChecks RestartPolicyOrEmpty(string field, string value) =>
        value.Length == 0 ? this : Require(Names.IsRestartPolicy(value), field, "must be no, always, unless-stopped or on-failure[:N]", value);

    /// <summary>The general rule: <paramref name="value"/> is shown quoted, unless it is null (a secret).</summary>
    public FieldChecks Require(bool kept, string field, string rule, string? value) => Record(kept, field, rule, value is null ? null : Show(value));

    private FieldChecks AtMostCharacters(string field, string value, int maxLength) =>
        Record(value.Length <= maxLength, field, $"must be at most {maxLength} characters", $"{value.Length}");

    private FieldChecks Record(bool kept, string field, string rule, string? got)
    {
        if (!kept) Problem ??= got is null ? $"{field} {rule}" : $"{field} {rule} (got: {got})";
        return this;
    }

    /// <summary>Quoted, with control characters escaped and the length capped, so the message is one readable line.</summary>
    public static string Show(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value.Length > ShownLength ? value[..ShownLength] : value)
            text.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        return text.Append(value.Length > ShownLength ? "\"…" : "\"").ToString();
    }
}

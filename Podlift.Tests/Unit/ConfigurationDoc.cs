using System.Text;
using Podlift.Cli.Configuration;

namespace Podlift.Tests.Unit;

/// <summary>
/// The reference part of docs/configuration.md, written from <see cref="ConfigSchema"/>: an example podlift.yml
/// with every key, then a table of every key's type, default and description. It sits between two markers;
/// the prose around it is written by hand.
/// </summary>
public static class ConfigurationDoc
{
    public const string Begin = "<!-- reference: generated from Podlift.Cli/Configuration/ConfigSchema.cs by `make docs`; edit the schema, not this part -->";
    public const string End = "<!-- end of reference -->";

    /// <summary><paramref name="doc"/> with its reference part rendered again.</summary>
    public static string WithReference(string doc)
    {
        var begin = doc.IndexOf(Begin, StringComparison.Ordinal);
        var end = doc.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin) throw new InvalidOperationException($"docs/configuration.md lacks the markers {Begin} and {End}");
        return doc[..begin] + Reference() + doc[(end + End.Length)..];
    }

    public static string Reference()
    {
        var text = new StringBuilder();
        text.Append(Begin).Append("\n\n");
        text.Append("### Every key\n\n");
        text.Append("Every key with an example value; the ones commented out are alternatives, or for another setup.\n\n");
        text.Append("```yaml\n").Append(Example()).Append("```\n\n");
        text.Append("### Types and defaults\n\n");
        text.Append("| key | type | default | description |\n|---|---|---|---|\n");
        foreach (var key in ConfigSchema.Keys)
            text.Append($"| `{key.Path}` | {Kind(key.Kind)} | {Default(key)} | {Cell(key.Description)} |\n");
        text.Append('\n').Append(End);
        return text.ToString();
    }

    /// <summary>A podlift.yml with every key of the schema, its example value and its description.</summary>
    public static string Example() => AnnotatedYaml.Render(ConfigSchema.Keys.Select(ExampleLine), CommentColumn);

    public static bool HasKeys(ConfigKey key) => ConfigSchema.Keys.Any(k => k.Parent == key.Path || k.Parent == key.Path + "[]");

    private const int CommentColumn = 37;

    private static YamlLine ExampleLine(ConfigKey key) =>
        new(ConfigSchema.ExamplePath(key), HasKeys(key) ? null : key.Example ?? key.Default, key.ExampleCommented, key.Description);

    private static string Kind(ConfigKind kind) =>
        string.Join(" or ", Enum.GetValues<ConfigKind>().Where(k => kind.HasFlag(k)).Select(k => k switch
        {
            ConfigKind.Boolean => "true/false",
            _ => k.ToString().ToLowerInvariant(),
        }));

    private static string Default(ConfigKey key) =>
        key.Required ? "**required**" : key.Default is { } value ? $"`{value}`" : key.Unset is { } unset ? Cell(unset) : "";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}

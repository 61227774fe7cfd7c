using System.Text;

namespace Podlift.Cli.Configuration;

/// <summary>
/// One line of an example podlift.yml: the key at <paramref name="Path"/> (concrete: services.web.port,
/// servers[].host for a key of the list's item), its value (null: a mapping, its keys on the lines that
/// follow), whether it is commented out (with every key under it), and the comment beside it.
/// </summary>
public sealed record YamlLine(string Path, string? Value = null, bool CommentedOut = false, string? Comment = null)
{
    public static readonly YamlLine Blank = new("");
}

/// <summary>
/// Writes example podlift.yml files (`podlift init`'s, the reference in docs/configuration.md) from
/// key paths: the nesting, list items and commented-out blocks follow from the paths. Pure.
/// </summary>
public static class AnnotatedYaml
{
    public static string Render(IEnumerable<YamlLine> lines, int commentColumn)
    {
        var yaml = new StringBuilder();
        var open = new List<OpenKey>(); // the keys the next line may be nested in, outermost first
        foreach (var line in lines)
        {
            if (line == YamlLine.Blank)
            {
                yaml.Append('\n');
                continue;
            }
            var segments = line.Path.Split('.').Select(Segment.Parse).ToList();
            var shared = 0;
            while (shared < open.Count && shared < segments.Count - 1 && open[shared].Name == segments[shared].Name) shared++;
            open.RemoveRange(shared, open.Count - shared);
            for (var depth = shared; depth < segments.Count - 1; depth++)
                yaml.Append(Write(open, segments, depth, new YamlLine(""), commentColumn));
            yaml.Append(Write(open, segments, segments.Count - 1, line, commentColumn));
        }
        return yaml.ToString();
    }

    /// <summary>The key at <paramref name="depth"/> of the path, nested in the <paramref name="open"/> keys, which it joins.</summary>
    private static string Write(List<OpenKey> open, List<Segment> path, int depth, YamlLine line, int commentColumn)
    {
        var parent = depth > 0 ? open[depth - 1] : null;
        var inList = depth > 0 && path[depth - 1].IsList;
        var column = parent is null ? 0 : parent.Column + (inList ? 4 : 2);
        var itemStart = inList && !parent!.HasItem ? "- " : "";
        if (inList) parent!.HasItem = true;
        var start = column - itemStart.Length;
        var hashColumn = parent?.HashColumn ?? (line.CommentedOut ? start : null);
        open.Add(new OpenKey(path[depth].Name, column, hashColumn));

        var text = $"{itemStart}{path[depth].Name}:{(line.Value is null ? "" : " " + line.Value)}";
        var written = hashColumn is { } hash ? $"{new string(' ', hash)}# {new string(' ', start - hash)}{text}" : $"{new string(' ', start)}{text}";
        if (!string.IsNullOrEmpty(line.Comment)) written = $"{written.PadRight(commentColumn - 1)} # {line.Comment}";
        return written + "\n";
    }

    private sealed record Segment(string Name, bool IsList)
    {
        public static Segment Parse(string segment) =>
            segment.EndsWith("[]", StringComparison.Ordinal) ? new(segment[..^2], true) : new(segment, false);
    }

    /// <summary>A key written above; HashColumn: where the # of its commented-out block is.</summary>
    private sealed class OpenKey(string name, int column, int? hashColumn)
    {
        public string Name { get; } = name;
        public int Column { get; } = column;
        public int? HashColumn { get; } = hashColumn;
        public bool HasItem { get; set; }
    }
}

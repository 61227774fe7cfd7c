using Podlift.Protocol;
using System.Globalization;
using Podlift.Cli.Errors;
using YamlDotNet.RepresentationModel;

namespace Podlift.Cli.Configuration;

/// <summary>
/// A YAML node with the key path that reached it, so every error names the key (services.web.port)
/// and the line it is on. Scalars are expanded (${VAR}) as they are read.
/// </summary>
internal sealed class ConfigNode(YamlNode node, string path, ConfigContext context)
{
    public YamlNode Node { get; } = node;
    public string Path { get; } = path;

    public ConfigurationException Error(string problem, string? fix = null) =>
        new($"{context.FileName}:{Node.Start.Line}: {Path} {problem}", fix ?? $"correct `{Path}` on line {Node.Start.Line} of {context.FileName}");

    public bool IsMapping => Node is YamlMappingNode;
    public bool IsSequence => Node is YamlSequenceNode;
    public bool IsScalar => Node is YamlScalarNode;

    public IEnumerable<(string Key, ConfigNode Value)> Entries()
    {
        var mapping = Node as YamlMappingNode ?? throw Error($"must be a mapping (key: value lines), got {Describe()}");
        foreach (var (key, value) in mapping.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? throw new ConfigurationException($"{context.FileName}:{key.Start.Line}: keys must be plain names");
            yield return (name, new ConfigNode(value, Path.Length == 0 ? name : $"{Path}.{name}", context));
        }
    }

    public IEnumerable<ConfigNode> Items()
    {
        var sequence = Node as YamlSequenceNode ?? throw Error($"must be a list, got {Describe()}");
        var index = 0;
        foreach (var item in sequence.Children) yield return new ConfigNode(item, $"{Path}[{index++}]", context);
    }

    public ConfigNode? Child(string key) => Entries().FirstOrDefault(e => e.Key == key).Value;

    public ConfigNode Required(string key) =>
        Child(key) ?? throw new ConfigurationException(
            $"{context.FileName}:{Node.Start.Line}: {(Path.Length == 0 ? key : $"{Path}.{key}")} is required", $"add `{key}:` to {context.FileName}");

    /// <summary>Refuses keys this mapping does not know, suggesting the nearest known one.</summary>
    public void AllowOnly(params string[] known)
    {
        foreach (var (key, value) in Entries())
        {
            if (known.Contains(key)) continue;
            var suggestion = Suggestions.Nearest(key, known);
            throw value.ErrorAtKey(KeyNode(key), suggestion is null
                ? $"is not a known key (known: {string.Join(", ", known)})"
                : $"is not a known key; did you mean \"{suggestion}\"?");
        }
    }

    private YamlNode KeyNode(string key) => ((YamlMappingNode)Node).Children.Keys.First(k => (k as YamlScalarNode)?.Value == key);

    // the key's line: a block value (a mapping or list under the key) starts on the next line
    private ConfigurationException ErrorAtKey(YamlNode key, string problem) =>
        new($"{context.FileName}:{key.Start.Line}: {Path} {problem}", "fix or remove the key; podlift's docs/configuration.md lists every key");

    public string String()
    {
        if (Node is not YamlScalarNode scalar) throw Error($"must be a text value, got {Describe()}");
        return context.Expander.Expand(scalar.Value ?? "", Path);
    }

    /// <summary>A command for `sh -c`: ${VAR} checked but left to the shell, the values it needs added to <paramref name="environment"/>.</summary>
    public string ShellCommand(IDictionary<string, string> environment)
    {
        if (Node is not YamlScalarNode scalar) throw Error($"must be a text value, got {Describe()}");
        return context.Expander.Defer(scalar.Value ?? "", Path, environment);
    }

    public IReadOnlyList<string> ShellCommandList(IDictionary<string, string> environment) => ListOf(item => item.ShellCommand(environment));

    /// <summary>One of <paramref name="values"/>, as written (lower case).</summary>
    public string OneOf(params string[] values)
    {
        var text = String();
        return values.FirstOrDefault(v => v == text.ToLowerInvariant())
               ?? throw Error($"must be one of {string.Join(", ", values)} (got: {text})");
    }

    /// <summary>A share: 1% or 0.01, from 0 to 1.</summary>
    public double Fraction() => Shares.TryParse(String(), out var share, out var problem) ? share : throw Error(problem);

    /// <summary>Servers per batch: a whole number (2) or a share of the servers (25%).</summary>
    public BatchSize BatchSize()
    {
        var text = String().Trim();
        if (!text.EndsWith('%')) return Configuration.BatchSize.Count(Int(1, BatchRollout.MaxBatch));
        var share = Fraction();
        return share > 0 ? Configuration.BatchSize.Of(share) : throw Error($"must be more than 0% (got: {text})");
    }

    public int Int(int min, int max)
    {
        var text = String();
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw Error($"must be a whole number (got: {text})");
        if (value < min || value > max) throw Error($"must be between {min}-{max} (got: {value})");
        return value;
    }

    public bool Bool()
    {
        var text = String();
        return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error($"must be true or false (got: {text})"),
        };
    }

    public TimeSpan Duration(TimeSpan min, TimeSpan max)
    {
        var text = String();
        if (!Durations.TryParse(text, out var value)) throw Error($"must be a duration such as 30s, 500ms or 5m (got: {text})");
        if (value < min || value > max) throw Error($"must be between {Durations.Format(min)} and {Durations.Format(max)} (got: {text})");
        return value;
    }

    public IReadOnlyList<string> StringList() => ListOf(item => item.String());

    /// <summary>One value, or a list of them, each read by <paramref name="read"/>.</summary>
    private IReadOnlyList<string> ListOf(Func<ConfigNode, string> read) => IsScalar ? [read(this)] : Items().Select(read).ToList();

    public bool IsFalse => Node is YamlScalarNode { Value: { } value } && value.ToLowerInvariant() is "false" or "no" or "off";

    private string Describe() => Node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: var v } => $"\"{v}\"",
        _ => "an unknown node",
    };
}

internal sealed record ConfigContext(string FileName, VariableExpander Expander);

internal static class Suggestions
{
    public static string? Nearest(string input, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (Candidate: c, Distance: Distance(input.ToLowerInvariant(), c)))
            .OrderBy(x => x.Distance).FirstOrDefault();
        return best.Candidate is not null && best.Distance <= Math.Max(2, input.Length / 3) ? best.Candidate : null;
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }
}

using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Configuration;

/// <summary>Reads a dotenv file: KEY=VALUE lines, optional `export`, # comments, single or double quotes.</summary>
public static class EnvFile
{
    public static IReadOnlyDictionary<string, string> Parse(string text, string fileName)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line["export ".Length..].TrimStart();
            var equals = line.IndexOf('=');
            if (equals <= 0)
                throw new ConfigurationException($"{fileName}:{lineNumber}: expected KEY=VALUE, got \"{Truncate(line)}\"",
                    "write each variable as NAME=value on its own line");
            var key = line[..equals].Trim();
            if (!Names.IsEnvironmentVariable(key))
                throw new ConfigurationException($"{fileName}:{lineNumber}: \"{key}\" is not a valid variable name",
                    "names are letters, digits and underscores, not starting with a digit");
            values[key] = Unquote(line[(equals + 1)..].Trim());
        }
        return values;
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            return Unescape(value[1..^1]);
        if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'') return value[1..^1];
        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        return comment >= 0 ? value[..comment].TrimEnd() : value;
    }

    // one pass, so an escaped backslash before n (C:\\new) stays a backslash and an n
    private static string Unescape(string text)
    {
        var result = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is 'n' or '"' or '\\')
            {
                var escaped = text[++i];
                result.Append(escaped == 'n' ? '\n' : escaped);
            }
            else
            {
                result.Append(text[i]);
            }
        }
        return result.ToString();
    }

    // never echo a whole line back: it may hold a secret
    private static string Truncate(string line) => line.Length <= 12 ? line : line[..12] + "…";
}

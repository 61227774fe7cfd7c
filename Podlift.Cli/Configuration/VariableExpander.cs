using System.Text;
using Podlift.Cli.Errors;

namespace Podlift.Cli.Configuration;

/// <summary>Expands ${NAME} and ${NAME:-default} in config values; $${ stands for a literal ${.</summary>
public sealed class VariableExpander(IReadOnlyDictionary<string, string> variables, string envFileName)
{
    public string Expand(string text, string keyPath)
    {
        if (!text.Contains('$')) return text;
        var result = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text.AsSpan(i).StartsWith("$${"))
            {
                result.Append("${");
                i += 3;
                continue;
            }
            if (!text.AsSpan(i).StartsWith("${"))
            {
                result.Append(text[i++]);
                continue;
            }
            var close = text.IndexOf('}', i + 2);
            if (close < 0) throw new ConfigurationException($"{keyPath}: \"${{\" without a closing \"}}\"", "write variables as ${NAME} or ${NAME:-default}");
            var expression = text[(i + 2)..close];
            var separator = expression.IndexOf(":-", StringComparison.Ordinal);
            var name = separator >= 0 ? expression[..separator] : expression;
            if (!EnvFile.IsValidName(name))
                throw new ConfigurationException($"{keyPath}: \"${{{expression}}}\" is not a valid variable reference", "write variables as ${NAME} or ${NAME:-default}");

            if (variables.TryGetValue(name, out var value) && (separator < 0 || value.Length > 0)) result.Append(value);
            else if (separator >= 0) result.Append(expression[(separator + 2)..]);
            else
                throw new ConfigurationException($"{keyPath} uses ${{{name}}}, which is not set",
                    $"add {name}=... to {envFileName} or export it, or give a default: ${{{name}:-value}}");
            i = close + 1;
        }
        return result.ToString();
    }
}

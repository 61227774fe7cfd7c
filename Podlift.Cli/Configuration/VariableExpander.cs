using System.Text;
using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Configuration;

/// <summary>Expands ${NAME} and ${NAME:-default} in config values; $${ stands for a literal ${.</summary>
public sealed class VariableExpander(IReadOnlyDictionary<string, string> variables, string envFileName)
{
    /// <summary>What the agent sets for hooks itself (PODLIFT_APP, PODLIFT_VERSION, ...): a hook may name them unset.</summary>
    public const string HookVariablePrefix = "PODLIFT_";

    public string Expand(string text, string keyPath) => Rewrite(text, keyPath, "${", (_, _, resolved) => resolved, _ => false);

    /// <summary>
    /// For a command that `sh -c` runs (hooks): every reference is checked as <see cref="Expand"/> checks it, but
    /// left for the shell to expand at run time, so a secret never becomes part of a command line (`ps`) or of what
    /// is printed and logged. The values of the variables named are added to <paramref name="environment"/>, for
    /// the shell's environment; a literal $${ becomes the shell's \${. A variable that describes this machine
    /// (HOME, PATH...: <see cref="HookVariables"/>) is the server's own there: never captured, and it may be unset here.
    /// </summary>
    public string Defer(string text, string keyPath, IDictionary<string, string> environment) =>
        Rewrite(text, keyPath, "\\${", (name, expression, _) =>
        {
            if (!HookVariables.DescribesTheMachine(name) && variables.TryGetValue(name, out var value)) environment[name] = value;
            return $"${{{expression}}}";
        }, name => name.StartsWith(HookVariablePrefix, StringComparison.Ordinal) || HookVariables.DescribesTheMachine(name));

    /// <param name="onReference">(name, expression inside the braces, resolved value) → the text that replaces the reference.</param>
    /// <param name="mayBeUnset">Names that are set later, by whoever runs the text: not an error when unset here.</param>
    private string Rewrite(string text, string keyPath, string literal, Func<string, string, string, string> onReference, Func<string, bool> mayBeUnset)
    {
        if (!text.Contains('$')) return text;
        var result = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text.AsSpan(i).StartsWith("$${"))
            {
                result.Append(literal);
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
            if (!Names.IsEnvironmentVariable(name))
                throw new ConfigurationException($"{keyPath}: \"${{{expression}}}\" is not a valid variable reference", "write variables as ${NAME} or ${NAME:-default}");

            string resolved;
            if (variables.TryGetValue(name, out var value) && (separator < 0 || value.Length > 0)) resolved = value;
            else if (separator >= 0) resolved = expression[(separator + 2)..];
            else if (mayBeUnset(name)) resolved = "";
            else
                throw new ConfigurationException($"{keyPath} uses ${{{name}}}, which is not set",
                    $"add {name}=... to {envFileName} or export it, or give a default: ${{{name}:-value}}");
            result.Append(onReference(name, expression, resolved));
            i = close + 1;
        }
        return result.ToString();
    }
}

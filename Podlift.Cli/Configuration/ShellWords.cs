using System.Text;

namespace Podlift.Cli.Configuration;

/// <summary>Splits a command string into words the way a POSIX shell would for plain quoting (no expansion).</summary>
public static class ShellWords
{
    public static IReadOnlyList<string> Split(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote is not null)
            {
                if (c == quote) quote = null;
                else if (c == '\\' && quote == '"' && i + 1 < command.Length && command[i + 1] is '"' or '\\') word.Append(command[++i]);
                else word.Append(c);
            }
            else if (c is '"' or '\'') { quote = c; inWord = true; }
            else if (c == '\\' && i + 1 < command.Length) { word.Append(command[++i]); inWord = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else { word.Append(c); inWord = true; }
        }
        if (quote is not null) throw new FormatException($"unclosed {quote} quote in: {command}");
        if (inWord) words.Add(word.ToString());
        return words;
    }
}

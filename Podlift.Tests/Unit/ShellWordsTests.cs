using NUnit.Framework;
using Podlift.Cli.Configuration;

namespace Podlift.Tests.Unit;

public class ShellWordsTests
{
    private static IEnumerable<TestCaseData> Commands()
    {
        yield return new TestCaseData("gunicorn app:app -w 4", new[] { "gunicorn", "app:app", "-w", "4" });
        yield return new TestCaseData("  spaced \t out  ", new[] { "spaced", "out" });
        yield return new TestCaseData("", Array.Empty<string>());
        yield return new TestCaseData("   ", Array.Empty<string>());
        yield return new TestCaseData("sh -c \"echo hi && sleep 1\"", new[] { "sh", "-c", "echo hi && sleep 1" });
        yield return new TestCaseData("echo 'a \"b\" $HOME'", new[] { "echo", "a \"b\" $HOME" });
        yield return new TestCaseData("echo \"a \\\"b\\\"\"", new[] { "echo", "a \"b\"" });
        yield return new TestCaseData("echo \"back\\\\slash\"", new[] { "echo", "back\\slash" });
        yield return new TestCaseData("echo \"keep \\n as is\"", new[] { "echo", "keep \\n as is" });
        yield return new TestCaseData("echo 'single \\ kept'", new[] { "echo", "single \\ kept" });
        yield return new TestCaseData("echo a\\ b", new[] { "echo", "a b" });
        yield return new TestCaseData("echo \\'", new[] { "echo", "'" });
        yield return new TestCaseData("echo ''", new[] { "echo", "" });
        yield return new TestCaseData("echo \"\" x", new[] { "echo", "", "x" });
        yield return new TestCaseData("\"a\"'b'c", new[] { "abc" });
        yield return new TestCaseData("trailing\\", new[] { "trailing\\" });
    }

    [TestCaseSource(nameof(Commands))]
    public void Splits_like_a_shell(string command, string[] expected)
    {
        Assert.That(ShellWords.Split(command), Is.EqualTo(expected));
    }

    [TestCase("echo \"hi", '"')]
    [TestCase("echo 'hi", '\'')]
    [TestCase("echo \"it's\" 'fine", '\'')]
    [TestCase("echo \"escaped \\\"", '"')]
    public void An_unclosed_quote_throws(string command, char quote)
    {
        Assert.That(() => ShellWords.Split(command),
            Throws.TypeOf<FormatException>().With.Message.Contains($"unclosed {quote} quote"));
    }
}

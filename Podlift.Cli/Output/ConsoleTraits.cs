namespace Podlift.Cli.Output;

/// <summary>
/// What this run's console shows besides plain lines: colour on stdout and on stderr, and live progress redrawn in
/// place (the board of `deploy --parallel`). Only a terminal gets either; colour also gives way to --no-color,
/// NO_COLOR (https://no-color.org: set and not empty), TERM=dumb and --json. Decided once per run.
/// </summary>
public sealed record ConsoleTraits(bool ColourOut, bool ColourErrors, bool Live)
{
    /// <summary>Plain lines only: what a redirected console, a test or a board's server line gets.</summary>
    public static readonly ConsoleTraits Plain = new(false, false, false);

    /// <summary>Pure.</summary>
    public static ConsoleTraits Decide(bool noColorFlag, bool json, string? noColorVariable, string? term, bool outIsTerminal, bool errorsIsTerminal)
    {
        var dumb = term == "dumb";
        var colour = !noColorFlag && !json && string.IsNullOrEmpty(noColorVariable) && !dumb;
        return new ConsoleTraits(colour && outIsTerminal, colour && errorsIsTerminal, !json && !dumb && outIsTerminal);
    }

    public static ConsoleTraits OfThisConsole(bool noColorFlag, bool json) =>
        Decide(noColorFlag, json, Environment.GetEnvironmentVariable("NO_COLOR"), Environment.GetEnvironmentVariable("TERM"),
            !Console.IsOutputRedirected, !Console.IsErrorRedirected);
}

/// <summary>The few ANSI styles podlift uses: the marks (✓ ✗ ⚠), step headers, and ERROR.</summary>
public static class Ansi
{
    public const string Green = "\u001b[32m";
    public const string Red = "\u001b[31m";
    public const string Yellow = "\u001b[33m";
    public const string Bold = "\u001b[1m";
    public const string BoldRed = "\u001b[1;31m";
    public const string Reset = "\u001b[0m";

    public static string Styled(string text, string style, bool on) => on ? style + text + Reset : text;
}

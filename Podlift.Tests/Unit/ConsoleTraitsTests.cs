using Podlift.Cli.Output;

namespace Podlift.Tests.Unit;

/// <summary>Colour and live progress only on a terminal; colour also gives way to --no-color, NO_COLOR, TERM=dumb and --json.</summary>
public class ConsoleTraitsTests
{
    private static ConsoleTraits Decide(bool noColorFlag = false, bool json = false, string? noColor = null, string? term = "xterm-256color",
        bool outIsTerminal = true, bool errorsIsTerminal = true) =>
        ConsoleTraits.Decide(noColorFlag, json, noColor, term, outIsTerminal, errorsIsTerminal);

    [Test]
    public void A_terminal_gets_colour_and_live_progress() =>
        Assert.That(Decide(), Is.EqualTo(new ConsoleTraits(ColourOut: true, ColourErrors: true, Live: true)));

    [Test]
    public void Redirected_output_gets_neither() =>
        Assert.That(Decide(outIsTerminal: false, errorsIsTerminal: false), Is.EqualTo(ConsoleTraits.Plain));

    [Test]
    public void Each_stream_is_judged_on_its_own() =>
        Assert.That(Decide(errorsIsTerminal: false), Is.EqualTo(new ConsoleTraits(ColourOut: true, ColourErrors: false, Live: true)));

    [TestCase("1")]
    [TestCase("true")]
    [TestCase("0")]
    public void NO_COLOR_set_to_anything_turns_colour_off_and_keeps_live_progress(string value) =>
        Assert.That(Decide(noColor: value), Is.EqualTo(new ConsoleTraits(false, false, Live: true)));

    [Test]
    public void An_empty_NO_COLOR_is_as_if_unset() => Assert.That(Decide(noColor: "").ColourOut, Is.True);

    [Test]
    public void The_no_color_flag_turns_colour_off() => Assert.That(Decide(noColorFlag: true), Is.EqualTo(new ConsoleTraits(false, false, true)));

    [Test]
    public void A_dumb_terminal_gets_plain_lines() => Assert.That(Decide(term: "dumb"), Is.EqualTo(ConsoleTraits.Plain));

    [Test]
    public void Json_is_for_programs_neither_colour_nor_a_board() => Assert.That(Decide(json: true), Is.EqualTo(ConsoleTraits.Plain));
}

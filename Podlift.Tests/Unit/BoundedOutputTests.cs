using Podlift.Agent.Machine;
using Podlift.Agent.Hooks;

namespace Podlift.Tests.Unit;

public class BoundedOutputTests
{
    [Test]
    public void Short_output_is_kept_whole_without_empty_lines()
    {
        var output = new BoundedOutput(maxLines: 5, maxChars: 100);
        output.Append("one\ntwo\n\nthr");
        output.Append("ee\n");

        Assert.That(output.Lines(), Is.EqualTo(new[] { "one", "two", "three" }));
    }

    [Test]
    public void Only_the_last_lines_are_reported()
    {
        var output = new BoundedOutput(maxLines: 3, maxChars: 1000);
        for (var i = 1; i <= 10; i++) output.Append($"line {i}\n");

        Assert.That(output.Lines(), Is.EqualTo(new[] { "line 8", "line 9", "line 10" }));
    }

    [Test]
    public void Only_the_last_characters_are_kept_and_a_cut_line_is_marked()
    {
        var output = new BoundedOutput(maxLines: 10, maxChars: 10);
        for (var i = 0; i < 1000; i++) output.Append("abcdef\n");
        output.Append("the end");

        Assert.That(output.Lines(), Is.EqualTo(new[] { "…ef", "the end" }));
    }

    [Test]
    public void A_line_kept_from_its_first_character_is_not_marked()
    {
        var output = new BoundedOutput(maxLines: 10, maxChars: 10);
        for (var i = 0; i < 1000; i++) output.Append("abcdef\n");
        output.Append("end");

        Assert.That(output.Lines(), Is.EqualTo(new[] { "abcdef", "end" }));
    }

    [Test]
    public void Appends_that_wrap_around_keep_their_order()
    {
        var output = new BoundedOutput(maxLines: 10, maxChars: 8);
        foreach (var chunk in new[] { "12345", "678\n", "ab", "c\nde" }) output.Append(chunk);

        Assert.That(output.Lines(), Is.EqualTo(new[] { "…8", "abc", "de" }));
    }

    [Test]
    public void A_chunk_longer_than_the_bound_keeps_its_end()
    {
        var output = new BoundedOutput(maxLines: 10, maxChars: 4);
        output.Append("ab");
        output.Append("0123456789");

        Assert.That(output.Lines(), Is.EqualTo(new[] { "…6789" }));
    }

    [Test]
    public void Output_of_exactly_the_bound_is_not_cut()
    {
        var output = new BoundedOutput(maxLines: 10, maxChars: 4);
        output.Append("abcd");

        Assert.That(output.Lines(), Is.EqualTo(new[] { "abcd" }));
    }

    [Test]
    public void After_close_it_holds_nothing_and_takes_nothing()
    {
        var output = new BoundedOutput(maxLines: 10, maxChars: 100);
        output.Append("before\n");
        output.Close();
        output.Append("after\n");

        Assert.That(output.Lines(), Is.Empty);
    }
}

using System.Text;
using Podlift.Agent.Operate;

namespace Podlift.Tests.Unit;

public class LineSplitterTests
{
    private static IReadOnlyList<string> Push(LineSplitter splitter, string text) => splitter.Push(Encoding.UTF8.GetBytes(text));

    [Test]
    public void Complete_lines_come_out_without_their_line_breaks()
    {
        var splitter = new LineSplitter();
        Assert.That(Push(splitter, "one\ntwo\r\nthree\n"), Is.EqualTo(new[] { "one", "two", "three" }));
        Assert.That(splitter.Flush(), Is.Null);
    }

    [Test]
    public void A_line_split_across_chunks_comes_out_whole()
    {
        var splitter = new LineSplitter();
        Assert.That(Push(splitter, "hel"), Is.Empty);
        Assert.That(Push(splitter, "lo\nwor"), Is.EqualTo(new[] { "hello" }));
        Assert.That(splitter.Flush(), Is.EqualTo("wor"), "the unfinished last line is not lost");
    }

    [Test]
    public void A_multibyte_character_split_across_chunks_is_decoded_whole()
    {
        var bytes = Encoding.UTF8.GetBytes("größe ✓\n");
        var splitter = new LineSplitter();
        var cut = Array.IndexOf(bytes, (byte)0xC3) + 1; // inside the ö

        Assert.That(splitter.Push(bytes.AsSpan(0, cut)), Is.Empty);
        Assert.That(splitter.Push(bytes.AsSpan(cut)), Is.EqualTo(new[] { "größe ✓" }));
    }

    [Test]
    public void Empty_lines_are_kept()
    {
        Assert.That(Push(new LineSplitter(), "a\n\nb\n"), Is.EqualTo(new[] { "a", "", "b" }));
    }

    [Test]
    public void An_endless_line_is_cut_at_the_limit()
    {
        var splitter = new LineSplitter(maxLineBytes: 4);
        Assert.That(Push(splitter, "abcdefghij\nk\n"), Is.EqualTo(new[] { "abcd", "efgh", "ij", "k" }));
    }
}

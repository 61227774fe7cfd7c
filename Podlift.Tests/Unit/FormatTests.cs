using NUnit.Framework;
using Podlift.Cli.Output;

namespace Podlift.Tests.Unit;

public class FormatTests
{
    [TestCase(0, "0.0s")]
    [TestCase(1_240, "1.2s")]
    [TestCase(59_900, "59.9s")]
    [TestCase(60_000, "1m00s")]
    [TestCase(125_000, "2m05s")]
    public void Duration(long milliseconds, string expected)
    {
        Assert.That(Format.Duration(TimeSpan.FromMilliseconds(milliseconds)), Is.EqualTo(expected));
    }

    [TestCase(512, "512 B")]
    [TestCase(1_536, "1.5 KB")]
    [TestCase(5 * 1024 * 1024, "5.0 MB")]
    [TestCase(3L * 1024 * 1024 * 1024, "3.00 GB")]
    public void Bytes(long bytes, string expected)
    {
        Assert.That(Format.Bytes(bytes), Is.EqualTo(expected));
    }

    [TestCase(45, "45s")]
    [TestCase(150, "2m")]
    [TestCase(3 * 3600 + 59, "3h")]
    [TestCase(47 * 3600, "47h")]
    [TestCase(3 * 86400, "3d")]
    public void Ago(int seconds, string expected)
    {
        Assert.That(Format.Ago(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));
    }

    [Test]
    public void Table_pads_every_column_but_the_last_to_its_widest_cell()
    {
        var lines = Format.Table(["SERVICE", "VERSION", "STATUS"], [["web", "abc1234", "healthy"], ["background-worker", "abc", "running"]]).ToList();

        Assert.That(lines, Is.EqualTo(new[]
        {
            "SERVICE            VERSION  STATUS",
            "web                abc1234  healthy",
            "background-worker  abc      running",
        }));
    }
}

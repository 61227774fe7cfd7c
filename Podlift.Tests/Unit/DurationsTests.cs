using NUnit.Framework;
using Podlift.Cli.Configuration;

namespace Podlift.Tests.Unit;

public class DurationsTests
{
    [TestCase("30s", 30_000)]
    [TestCase("500ms", 500)]
    [TestCase("5m", 300_000)]
    [TestCase("1h", 3_600_000)]
    [TestCase("1m30s", 90_000)]
    [TestCase("1h2m3s4ms", 3_723_004)]
    [TestCase("1.5s", 1_500)]
    [TestCase("10", 10_000)]
    [TestCase("0.25", 250)]
    [TestCase("0", 0)]
    [TestCase("  2m  ", 120_000)]
    [TestCase("", null)]
    [TestCase("soon", null)]
    [TestCase("-5s", null)]
    [TestCase("-5", null)]
    [TestCase("5d", null)]
    [TestCase("5 s", null)]
    [TestCase("30s later", null)]
    [TestCase("s", null)]
    [TestCase("1,5s", null)]
    [TestCase("NaN", null)]
    [TestCase("1e300", null)]            // too long for a TimeSpan: refused, not an OverflowException
    [TestCase("Infinity", null)]
    [TestCase("99999999999999h", null)]
    public void TryParse(string text, long? milliseconds)
    {
        var parsed = Durations.TryParse(text, out var duration);

        Assert.That(parsed, Is.EqualTo(milliseconds is not null));
        Assert.That(duration, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds ?? 0)));
    }

    [TestCase(0, "0ms")]
    [TestCase(500, "500ms")]
    [TestCase(1_000, "1s")]
    [TestCase(1_500, "1.5s")]
    [TestCase(30_000, "30s")]
    [TestCase(90_000, "1m30s")]
    [TestCase(600_000, "10m00s")]
    [TestCase(7_200_000, "2h00m")]
    [TestCase(5_430_000, "1h30m")]
    public void Formats(long milliseconds, string expected)
    {
        Assert.That(Durations.Format(TimeSpan.FromMilliseconds(milliseconds)), Is.EqualTo(expected));
    }

    [TestCase(250)]
    [TestCase(1_500)]
    [TestCase(45_000)]
    [TestCase(150_000)]
    [TestCase(7_200_000)]
    public void Formatted_durations_parse_back_to_the_same_value(long milliseconds)
    {
        var span = TimeSpan.FromMilliseconds(milliseconds);

        Assert.That(Durations.TryParse(Durations.Format(span), out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(span));
    }
}

using Podlift.Cli.Commands;
using Podlift.Cli.Errors;

namespace Podlift.Tests.Unit;

public class LogsOptionsTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [TestCase("100", 100)]
    [TestCase("0", 0)]
    [TestCase("5", 5)]
    [TestCase("all", LogsOptions.AllLines)]
    [TestCase("ALL", LogsOptions.AllLines)]
    public void Tail_is_a_line_count_or_all(string text, int expected) =>
        Assert.That(LogsOptions.ParseTail(text), Is.EqualTo(expected));

    [TestCase("-1")]
    [TestCase("ten")]
    [TestCase("5.5")]
    [TestCase("")]
    public void A_bad_tail_is_a_configuration_error_naming_the_flag(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => LogsOptions.ParseTail(text))!;
        Assert.That((int)error.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.StartWith("--tail"));
    }

    [TestCase("2h", 2 * 3600)]
    [TestCase("30m", 30 * 60)]
    [TestCase("1h30m", 90 * 60)]
    [TestCase("45s", 45)]
    public void Since_a_duration_means_that_long_ago(string text, int secondsAgo) =>
        Assert.That(LogsOptions.ParseSince(text, Now), Is.EqualTo(Now.ToUnixTimeSeconds() - secondsAgo));

    [TestCase("2025-03-01T10:00:00Z", "2025-03-01T10:00:00Z")]
    [TestCase("2025-03-01T10:00:00+02:00", "2025-03-01T08:00:00Z")]
    [TestCase("2025-03-01T10:00:00.250Z", "2025-03-01T10:00:00Z")]
    public void Since_a_timestamp_means_that_moment(string text, string utc) =>
        Assert.That(LogsOptions.ParseSince(text, Now), Is.EqualTo(DateTimeOffset.Parse(utc).ToUnixTimeSeconds()));

    [TestCase("yesterday")]
    [TestCase("10")]
    [TestCase("2 hours")]
    [TestCase("2025-13-45T99:00:00Z")]
    [TestCase("")]
    public void A_bad_since_is_a_configuration_error_naming_the_flag(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => LogsOptions.ParseSince(text, Now))!;
        Assert.That((int)error.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.StartWith("--since"));
    }

    [Test]
    public void Without_since_the_log_is_read_from_its_start() =>
        Assert.That(LogsOptions.Parse("web", "100", null, follow: true, Now), Is.EqualTo(new LogsOptions("web", 100, 0, true)));

    [Test]
    public void Lines_are_prefixed_with_the_replica_and_with_the_server_when_there_are_several()
    {
        Assert.That(LogsCommand.Prefix(null, "web", 1), Is.EqualTo("[web-1]"));
        Assert.That(LogsCommand.Prefix("10.0.0.2", "worker", 3), Is.EqualTo("[10.0.0.2 worker-3]"));
        Assert.That(LogsCommand.Prefix(null, "postgres", 0), Is.EqualTo("[postgres]"), "a dependency has no replicas");
    }
}

using Podlift.Agent.Proxy;

namespace Podlift.Tests.Unit;

public class RequestLogTests
{
    private static readonly DateTimeOffset From = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static string Line(double seconds, int status, string upstream, string upstreamStatus) =>
        $"{{\"msec\":{1_700_000_000 + seconds:0.000},\"status\":{status},\"upstream\":\"{upstream}\",\"upstream_status\":\"{upstreamStatus}\"}}";

    private static readonly Dictionary<string, string> Versions = new() { ["127.0.0.1:20001"] = "v1", ["127.0.0.1:20002"] = "v2" };

    private static TrafficReceipt Count(params string[] lines) =>
        RequestLog.Count(lines.Select(RequestLog.Parse).OfType<RequestLogEntry>(), From, From.AddSeconds(10), Versions.GetValueOrDefault);

    [Test]
    public void Counts_what_each_version_answered_in_the_window()
    {
        var receipt = Count(
            Line(1, 200, "127.0.0.1:20001", "200"),
            Line(2, 200, "127.0.0.1:20002", "200"),
            Line(3, 200, "127.0.0.1:20002", "200"),
            Line(11, 200, "127.0.0.1:20002", "200"), // after the window
            Line(-1, 200, "127.0.0.1:20001", "200")); // before it

        Assert.That((receipt.Requests, receipt.ServerErrors, receipt.FailedAttempts), Is.EqualTo((3, 0, 0)));
        Assert.That(receipt.Backends, Is.EqualTo(new[] { new BackendCount("v2", 2, 0), new BackendCount("v1", 1, 0) }));
        Assert.That(receipt.Window, Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void A_retried_attempt_is_a_failed_attempt_and_a_5xx_answer_an_error()
    {
        var receipt = Count(
            Line(1, 200, "127.0.0.1:20001, 127.0.0.1:20002", "502, 200"), // the first replica refused, the second answered
            Line(2, 503, "127.0.0.1:20002", "503"));                      // the app said 503

        Assert.That((receipt.Requests, receipt.ServerErrors, receipt.FailedAttempts), Is.EqualTo((2, 1, 1)));
        Assert.That(receipt.Backends.Single(), Is.EqualTo(new BackendCount("v2", 2, 1)), "counted for the replica that answered");
    }

    [Test]
    public void Requests_nginx_answered_itself_and_other_servers_backends_are_their_own_groups()
    {
        var receipt = Count(Line(1, 301, "-", "-"), Line(2, 200, "10.0.0.2:20005", "200"));

        Assert.That(receipt.Backends.Select(b => b.Version), Is.EquivalentTo(new[] { "nginx", "other servers" }));
    }

    [TestCase("")]
    [TestCase("{\"msec\":17000")]
    [TestCase("127.0.0.1 - - [01/Dec/2026] \"GET / HTTP/1.1\" 200")]
    [TestCase("{\"status\":200}")]
    public void A_line_that_is_not_ours_or_was_cut_is_skipped(string line)
    {
        Assert.That(RequestLog.Parse(line), Is.Null);
    }

    [Test]
    public void The_receipt_reads_as_a_sentence()
    {
        var receipt = Count(Line(1, 200, "127.0.0.1:20002", "200")).ToProto();

        Assert.That(RequestLog.Describe(receipt), Is.EqualTo("switch window 10.0 s: 1 request (v2 1), 0 errors, 0 failed upstream attempts"));
    }

    [Test]
    public void A_window_without_requests_says_so_without_an_empty_breakdown()
    {
        var receipt = Count().ToProto();

        Assert.That(RequestLog.Describe(receipt), Is.EqualTo("switch window 10.0 s: 0 requests, 0 errors, 0 failed upstream attempts"));
    }

    [Test]
    public void The_log_file_is_read_from_where_the_window_began_and_from_its_start_after_a_rotation()
    {
        using var dir = new TempDirectory();
        var log = new RequestLogFile(app => dir.PathOf($"{app}.log"));
        File.WriteAllText(dir.PathOf("shop.log"), "before\n");
        var position = log.Position("shop");
        File.AppendAllText(dir.PathOf("shop.log"), "during\n");

        Assert.That(log.LinesSince("shop", position), Is.EqualTo(new[] { "during" }));
        File.WriteAllText(dir.PathOf("shop.log"), "new\n"); // rotated: shorter than the window's start
        Assert.That(log.LinesSince("shop", position + 100), Is.EqualTo(new[] { "new" }));
        Assert.That(log.LinesSince("missing", 0), Is.Empty);
    }
}

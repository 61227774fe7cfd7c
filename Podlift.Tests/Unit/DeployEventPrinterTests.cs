using NUnit.Framework;
using Podlift.Cli.Output;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class DeployEventPrinterTests
{
    private StringWriter _out = null!;
    private StringWriter _err = null!;

    [SetUp]
    public void CreateWriters()
    {
        _out = new StringWriter { NewLine = "\n" };
        _err = new StringWriter { NewLine = "\n" };
    }

    [TearDown]
    public void DisposeWriters()
    {
        _out.Dispose();
        _err.Dispose();
    }

    private DeployEventPrinter Printer(bool verbose = false) => new(new ConsoleOutput(_out, _err, verbose));

    private string[] Lines => _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static DeployEvent Started(DeployStep step) => new() { DeployId = "d-1", StepStarted = new StepStarted { Step = step } };

    private static DeployEvent Said(EventLevel level, string text) => new() { DeployId = "d-1", Message = new Message { Level = level, Text = text } };

    [TestCase(DeployStep.Start, "[5/7] Start containers...")]
    [TestCase(DeployStep.Switch, "[6/7] Update nginx...")]
    [TestCase(DeployStep.Cleanup, "[7/7] Cleanup...")]
    public void Step_started_prints_the_numbered_step(DeployStep step, string expected)
    {
        Printer().Handle(Started(step));

        Assert.That(Lines, Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void Passed_health_check_prints_its_duration()
    {
        Printer().Handle(new DeployEvent { HealthChecked = new HealthChecked { Container = "myapp-web-abc-1", Passed = true, DurationMilliseconds = 1_240 } });

        Assert.That(Lines, Is.EqualTo(new[] { "✓ Health check passed (1.2s)" }));
    }

    [Test]
    public void Failed_health_check_prints_the_reason_and_the_log_tail()
    {
        var check = new HealthChecked { Container = "myapp-web-abc-1", Passed = false, DurationMilliseconds = 30_000, Reason = "timeout 30s: GET /health: connection refused" };
        check.LogTail.Add(["Traceback (most recent call last):", "ImportError: No module named flask"]);

        Printer().Handle(new DeployEvent { HealthChecked = check });

        Assert.That(Lines, Is.EqualTo(new[]
        {
            "✗ Health check failed (30.0s): timeout 30s: GET /health: connection refused",
            "Last log lines of myapp-web-abc-1:",
            "  | Traceback (most recent call last):",
            "  | ImportError: No module named flask",
        }));
    }

    [Test]
    public void Failed_health_check_without_logs_prints_no_log_header()
    {
        Printer().Handle(new DeployEvent { HealthChecked = new HealthChecked { Container = "c", Passed = false, Reason = "the container exited with code 1" } });

        Assert.That(Lines, Has.Length.EqualTo(1));
        Assert.That(Lines[0], Does.StartWith("✗ Health check failed"));
    }

    [TestCase(EventLevel.Success, "✓ nginx reloaded")]
    [TestCase(EventLevel.Warning, "⚠ nginx reloaded")]
    [TestCase(EventLevel.Info, "nginx reloaded")]
    public void Messages_print_with_their_level_marker(EventLevel level, string expected)
    {
        Printer().Handle(Said(level, "nginx reloaded"));

        Assert.That(Lines, Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void Error_messages_are_collected_as_failure_detail_not_printed()
    {
        var printer = Printer(verbose: true);

        printer.Handle(Said(EventLevel.Error, "port 20001 is in use\nby another process"));
        printer.Handle(Said(EventLevel.Error, "rolled back"));

        Assert.That(printer.FailureDetail, Is.EqualTo(new[] { "port 20001 is in use", "by another process", "rolled back" }));
        Assert.That(_out.ToString(), Is.Empty);
        Assert.That(_err.ToString(), Is.Empty);
    }

    [Test]
    public void Detail_messages_print_only_when_verbose()
    {
        Printer(verbose: false).Handle(Said(EventLevel.Detail, "quiet"));
        Printer(verbose: true).Handle(Said(EventLevel.Detail, "pulling layer 3/5"));

        Assert.That(Lines, Is.EqualTo(new[] { "  pulling layer 3/5" }));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Step_finished_records_the_duration_and_prints_it_only_when_verbose(bool verbose)
    {
        var printer = Printer(verbose);

        printer.Handle(new DeployEvent { StepFinished = new StepFinished { Step = DeployStep.Switch, DurationMilliseconds = 840 } });

        Assert.That(printer.StepDurations[DeployStep.Switch], Is.EqualTo(TimeSpan.FromMilliseconds(840)));
        Assert.That(Lines, Is.EqualTo(verbose ? new[] { "  (Update nginx: 0.8s)" } : Array.Empty<string>()));
    }

    [Test]
    public void Finished_is_captured_with_the_deploy_id()
    {
        var printer = Printer();
        var finished = new DeployFinished { Success = false, Error = "health check failed", Version = "abc", PreviousVersion = "def" };

        printer.Handle(new DeployEvent { DeployId = "d-42", Finished = finished });

        Assert.That(printer.Finished, Is.EqualTo(finished));
        Assert.That(printer.DeployId, Is.EqualTo("d-42"));
        Assert.That(_out.ToString(), Is.Empty);
    }

    [Test]
    public void Finished_is_null_until_the_deploy_ends()
    {
        var printer = Printer();

        printer.Handle(Started(DeployStep.Start));

        Assert.That(printer.Finished, Is.Null);
        Assert.That(printer.DeployId, Is.EqualTo("d-1"));
    }

    [Test]
    public void With_json_a_revert_and_the_verification_are_events_of_their_own()
    {
        var printer = new DeployEventPrinter(new ConsoleOutput(_out, _err, verbose: false, json: true).WithPrefix("10.0.0.1: "));

        printer.Handle(new DeployEvent
        {
            DeployId = "d-1", Operation = Operation.Rollback,
            Finished = new DeployFinished
            {
                Version = "bbb2222", RevertedTo = "aaa1111", Error = "verification failed: 40 requests, 9 errors (22.5%) in 5s, above the 1% allowed; aaa1111 serves again",
                Verified = new VerifyResult { WindowMilliseconds = 5_000, Requests = 40, Errors = 9, Detail = "40 requests, 9 errors (22.5%) in 5s, above the 1% allowed" },
            },
        });

        var events = Lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(events.Select(e => e.GetProperty("event").GetString()), Is.EqualTo(new[] { "verify", "revert" }));
        var (verify, revert) = (events[0], events[1]);
        Assert.That(verify.GetProperty("server").GetString(), Is.EqualTo("10.0.0.1"));
        Assert.That(verify.GetProperty("requests").GetInt64(), Is.EqualTo(40));
        Assert.That(verify.GetProperty("errors").GetInt64(), Is.EqualTo(9));
        Assert.That(verify.GetProperty("passed").GetBoolean(), Is.False);
        Assert.That(verify.GetProperty("window_seconds").GetDouble(), Is.EqualTo(5.0));
        Assert.That(revert.GetProperty("version").GetString(), Is.EqualTo("bbb2222"));
        Assert.That(revert.GetProperty("to").GetString(), Is.EqualTo("aaa1111"));
        Assert.That(revert.GetProperty("reason").GetString(), Does.StartWith("verification failed: "));
    }

    [Test]
    public void Without_json_the_end_of_a_job_prints_nothing_the_summary_says_later()
    {
        Printer().Handle(new DeployEvent { DeployId = "d-1", Finished = new DeployFinished { Version = "bbb2222", Success = true, Verified = new VerifyResult { Passed = true, Requests = 3 } } });

        Assert.That(Lines, Is.Empty);
    }
}

using NUnit.Framework;
using Podlift.Agent.Health;

namespace Podlift.Tests.Unit;

public class HealthCheckTrackerTests
{
    private static HealthCheckSettings Settings(int timeoutSeconds = 30, int intervalMs = 10_000, int retries = 3, int[]? expect = null) =>
        new(new HttpCheck("/health", expect ?? [200]), TimeSpan.FromSeconds(timeoutSeconds), TimeSpan.FromMilliseconds(intervalMs), retries);

    private static readonly ProbeOutcome Refused = new ProbeOutcome.NoAnswer("connection refused");

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [TestCase(200, new[] { 200 })]
    [TestCase(204, new[] { 200, 204 })]
    [TestCase(301, new[] { 301 })]
    public void An_expected_status_is_healthy(int status, int[] expect)
    {
        var tracker = new HealthCheckTracker(Settings(expect: expect));

        Assert.That(tracker.Record(new ProbeOutcome.Answered(status), Ms(100)), Is.TypeOf<HealthDecision.Healthy>());
    }

    [Test]
    public void Healthy_after_refusals_and_wrong_answers_below_the_retries()
    {
        var tracker = new HealthCheckTracker(Settings(retries: 3));

        tracker.Record(Refused, Ms(100));
        tracker.Record(new ProbeOutcome.Answered(500), Ms(300));
        tracker.Record(new ProbeOutcome.Answered(500), Ms(700));

        Assert.That(tracker.Record(new ProbeOutcome.Answered(200), Ms(1500)), Is.TypeOf<HealthDecision.Healthy>());
    }

    [Test]
    public void Wrong_answers_count_against_retries()
    {
        var tracker = new HealthCheckTracker(Settings(retries: 3, expect: [200, 204]));

        var first = tracker.Record(new ProbeOutcome.Answered(500), Ms(100));
        var second = tracker.Record(new ProbeOutcome.Answered(500), Ms(300));
        var third = tracker.Record(new ProbeOutcome.Answered(500), Ms(700));

        Assert.That(first, Is.TypeOf<HealthDecision.ProbeAgainAfter>());
        Assert.That(second, Is.TypeOf<HealthDecision.ProbeAgainAfter>());
        Assert.That(third, Is.EqualTo(new HealthDecision.Unhealthy("GET /health answered 500, expected 200 or 204 (3 times)")));
    }

    [Test]
    public void An_app_answering_503_while_it_starts_is_waited_for_until_the_timeout()
    {
        // a real app whose database is not reachable yet says 503; three of them in 0.7 s failed the deploy
        var tracker = new HealthCheckTracker(Settings(timeoutSeconds: 30, retries: 3));

        for (var i = 0; i < 20; i++)
            Assert.That(tracker.Record(new ProbeOutcome.Answered(503), Ms(100 + i * 500)), Is.TypeOf<HealthDecision.ProbeAgainAfter>(), $"probe {i}");
        Assert.That(tracker.Record(new ProbeOutcome.Answered(200), TimeSpan.FromSeconds(11)), Is.TypeOf<HealthDecision.Healthy>());

        var stuck = new HealthCheckTracker(Settings(timeoutSeconds: 30, retries: 3));
        Assert.That(stuck.Record(new ProbeOutcome.Answered(503), TimeSpan.FromSeconds(30)),
            Is.EqualTo(new HealthDecision.Unhealthy("timeout 30s: GET /health answered 503 (not ready yet)")));
    }

    [Test]
    public void Refused_connections_do_not_count_against_retries_only_against_the_timeout()
    {
        var tracker = new HealthCheckTracker(Settings(timeoutSeconds: 30, retries: 1));

        for (var i = 0; i < 100; i++)
            Assert.That(tracker.Record(Refused, Ms(i * 250)), Is.TypeOf<HealthDecision.ProbeAgainAfter>(), $"probe {i}");

        Assert.That(tracker.Record(Refused, TimeSpan.FromSeconds(30)),
            Is.EqualTo(new HealthDecision.Unhealthy("timeout 30s: GET /health: connection refused")));
    }

    [Test]
    public void A_wrong_answer_at_the_timeout_is_unhealthy_even_with_retries_left()
    {
        var tracker = new HealthCheckTracker(Settings(timeoutSeconds: 5, retries: 3));

        var decision = tracker.Record(new ProbeOutcome.Answered(502), TimeSpan.FromSeconds(6));

        Assert.That(decision, Is.EqualTo(new HealthDecision.Unhealthy("timeout 5s: GET /health answered 502, expected 200")));
    }

    [Test]
    public void A_container_exit_is_unhealthy_at_once()
    {
        var tracker = new HealthCheckTracker(Settings(retries: 100));

        var decision = tracker.Record(new ProbeOutcome.ContainerExited(137), Ms(50));

        Assert.That(decision, Is.EqualTo(new HealthDecision.Unhealthy("the container exited with code 137")));
    }

    [Test]
    public void Delays_double_from_100ms_and_are_capped_by_the_interval()
    {
        var tracker = new HealthCheckTracker(Settings(timeoutSeconds: 60, intervalMs: 1_000));

        var delays = Enumerable.Range(0, 7).Select(_ => ((HealthDecision.ProbeAgainAfter)tracker.Record(Refused, TimeSpan.Zero)).Delay).ToList();

        Assert.That(delays, Is.EqualTo(new[] { Ms(100), Ms(200), Ms(400), Ms(800), Ms(1000), Ms(1000), Ms(1000) }));
    }

    [Test]
    public void Delays_stay_capped_after_many_probes()
    {
        var tracker = new HealthCheckTracker(Settings(timeoutSeconds: 3600, intervalMs: 10_000));
        HealthDecision last = null!;

        for (var i = 0; i < 200; i++) last = tracker.Record(Refused, TimeSpan.FromSeconds(i));

        Assert.That(last, Is.EqualTo(new HealthDecision.ProbeAgainAfter(TimeSpan.FromSeconds(10))));
    }

    [Test]
    public void The_delay_never_passes_the_timeout()
    {
        var tracker = new HealthCheckTracker(Settings(timeoutSeconds: 5, intervalMs: 2_000));
        for (var i = 0; i < 5; i++) tracker.Record(Refused, TimeSpan.Zero);

        var decision = tracker.Record(Refused, Ms(4_950));

        Assert.That(decision, Is.EqualTo(new HealthDecision.ProbeAgainAfter(Ms(50))));
    }

    [TestCase(0, 10_000)]        // capped by the interval
    [TestCase(25_000, 5_000)]    // capped by the remaining time
    [TestCase(29_900, 200)]      // never below 200ms
    [TestCase(31_000, 200)]      // even past the timeout
    public void Probe_timeout(int elapsedMs, int expectedMs)
    {
        var tracker = new HealthCheckTracker(Settings(timeoutSeconds: 30, intervalMs: 10_000));

        Assert.That(tracker.ProbeTimeout(Ms(elapsedMs)), Is.EqualTo(Ms(expectedMs)));
    }

    [Test]
    public void Probe_timeout_is_at_least_one_second_when_the_interval_is_shorter()
    {
        var tracker = new HealthCheckTracker(Settings(timeoutSeconds: 30, intervalMs: 100));

        Assert.That(tracker.ProbeTimeout(TimeSpan.Zero), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Settings_from_an_empty_plan_are_the_defaults()
    {
        var settings = HealthCheckSettings.From(new Podlift.Protocol.HealthCheckPlan());

        Assert.That(settings.Check.Path, Is.EqualTo("/health"));
        Assert.That(settings.Check.Expect, Is.EqualTo(new[] { 200 }));
        Assert.That(settings.Timeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(settings.Interval, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(settings.Retries, Is.EqualTo(3));
    }
}

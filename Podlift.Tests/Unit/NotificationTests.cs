using System.Net;
using System.Text.Json;
using NUnit.Framework;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Notifications;
using Podlift.Cli.Output;
using Podlift.Testing;

namespace Podlift.Tests.Unit;

/// <summary>notify: webhooks, against a real HTTP receiver on 127.0.0.1: what they get, and that they never fail or stall a deploy nor show their secrets.</summary>
public class NotificationTests
{
    private const string Secret = "T000/B000/XyZsecret";
    private const string Password = "hunter2-do-not-print";

    private readonly StringWriter _out = new() { NewLine = "\n" };
    private readonly StringWriter _err = new() { NewLine = "\n" };
    private WebhookReceiver _receiver = null!;

    [SetUp]
    public void StartReceiver() => _receiver = new WebhookReceiver();

    [TearDown]
    public void StopReceiver()
    {
        _receiver.Dispose();
        _out.GetStringBuilder().Clear();
        _err.GetStringBuilder().Clear();
    }

    [OneTimeTearDown]
    public void DisposeWriters()
    {
        _out.Dispose();
        _err.Dispose();
    }

    private ConsoleOutput Output(bool verbose = false) => new(_out, _err, verbose);
    private string Printed => _out + _err.ToString();

    private static PodliftConfig Config() => new()
    {
        App = "shop",
        Image = "shop",
        SourcePath = "/srv/shop/podlift.yml",
        Servers = [new ServerConfig("10.0.0.1", null, null, null, [], []), new ServerConfig("10.0.0.2", null, null, null, [], [])],
        Services = [new ServiceConfig { Name = "web" }],
    };

    private static readonly TimeProvider Noon = new FixedTime(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static JsonElement Json(WebhookReceiver.Received received) => JsonDocument.Parse(received.Body).RootElement;

    [TestCase("https://hooks.slack.com/services/T000/B000/XyZ", "https://hooks.slack.com/***")]
    [TestCase("https://example.com/hook?token=abc", "https://example.com/***")]
    [TestCase("https://user:pass@example.com/", "https://example.com/***")]
    [TestCase("http://127.0.0.1:8080/", "http://127.0.0.1:8080")]
    [TestCase("https://example.com", "https://example.com")]
    public void A_webhook_url_shows_only_where_it_goes(string url, string shown) => Assert.That(WebhookUrl.Masked(new Uri(url)), Is.EqualTo(shown));

    [Test]
    public void A_message_naming_a_webhook_url_is_redacted()
    {
        var url = new Uri($"https://hooks.slack.com/services/{Secret}");

        var redacted = WebhookUrl.Redact($"The SSL connection to https://hooks.slack.com/services/{Secret} could not be established", [url]);

        Assert.That(redacted, Does.Not.Contain(Secret).And.Contain("https://hooks.slack.com/***"));
    }

    [Test]
    public async Task Every_url_gets_the_event_as_json_of_the_same_shape_as_json_output()
    {
        using var notifier = new Notifier([new Uri(_receiver.Url("a")), new Uri(_receiver.Url("b"))], Output());

        await notifier.SendAsync("deploy_started", [("app", "shop"), ("servers", new[] { "10.0.0.1" }), ("message", "say \"hi\" ✓")]);

        var received = _receiver.Requests.OrderBy(r => r.Path).ToList();
        Assert.That(received.Select(r => r.Path), Is.EqualTo(new[] { "/a", "/b" }));
        Assert.That(received.Select(r => r.Method), Is.All.EqualTo("POST"));
        Assert.That(received[0].ContentType, Does.StartWith("application/json"));
        Assert.That(received[0].Body, Is.EqualTo(JsonEvents.Serialize("deploy_started", [("app", "shop"), ("servers", new[] { "10.0.0.1" }), ("message", "say \"hi\" ✓")])));
        Assert.That(received[0].Body, Is.EqualTo("{\"event\":\"deploy_started\",\"app\":\"shop\",\"servers\":[\"10.0.0.1\"],\"message\":\"say \\\"hi\\\" ✓\"}"));
        Assert.That(Printed, Is.Empty, "a delivered event prints nothing (--verbose says so)");
    }

    [Test]
    public async Task A_webhook_that_does_not_answer_costs_at_most_the_timeout_and_a_warning()
    {
        _receiver.Delay = TimeSpan.FromSeconds(30);
        using var notifier = new Notifier([new Uri(_receiver.Url($"services/{Secret}"))], Output(), timeout: TimeSpan.FromMilliseconds(300));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await notifier.SendAsync("deploy_started", [("app", "shop")]);

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(_out.ToString(), Does.Contain($"⚠ notify http://127.0.0.1:{_receiver.Port}/***: deploy_started not delivered: no answer within 0.3s (the command goes on)"));
        Assert.That(Printed, Does.Not.Contain(Secret));
    }

    [Test]
    public async Task A_webhook_that_refuses_the_event_gets_a_warning_with_its_answer()
    {
        _receiver.Status = HttpStatusCode.InternalServerError;
        using var notifier = new Notifier([new Uri(_receiver.Url($"services/{Secret}"))], Output());

        await notifier.SendAsync("deploy_failed", [("app", "shop")]);

        Assert.That(_out.ToString(), Does.Contain("deploy_failed not delivered: it answered 500 Internal Server Error"));
        Assert.That(Printed, Does.Not.Contain(Secret));
    }

    [Test]
    public async Task A_webhook_out_of_reach_gets_a_warning_without_its_secret()
    {
        var url = new Uri($"http://user:{Password}@127.0.0.1:{WebhookReceiver.FreePort()}/services/{Secret}?token={Secret}");
        using var notifier = new Notifier([url], Output(verbose: true));

        await notifier.SendAsync("deploy_succeeded", [("app", "shop")]);

        Assert.That(_out.ToString(), Does.Contain("deploy_succeeded not delivered:").And.Contain("(the command goes on)"));
        Assert.That(Printed, Does.Not.Contain(Secret).And.Not.Contain(Password));
    }

    [Test]
    public async Task Without_notify_nothing_is_sent()
    {
        using var notifier = new Notifier([], Output());

        await notifier.SendAsync("deploy_started", [("app", "shop")]);

        Assert.That(_receiver.Requests, Is.Empty);
    }

    [Test]
    public async Task A_deploy_sends_started_then_succeeded_with_what_it_is_about()
    {
        using var notifier = new Notifier([new Uri(_receiver.Url("hook"))], Output());
        var notices = new Notices(notifier, Notices.Deploy, Noon);

        await notices.StartedAsync([.. Notices.Subject(Config(), "abc1234", "ana"), ("message", "Fix checkout")], ("rollout", "serial"));
        await notices.SucceededAsync(("previous", "9f8e7d6"), ("url", "http://shop.example.com"));

        var events = _receiver.Requests.Select(Json).ToList();
        Assert.That(events.Select(e => e.GetProperty("event").GetString()), Is.EqualTo(new[] { "deploy_started", "deploy_succeeded" }));
        var succeeded = events[1];
        Assert.That(succeeded.GetProperty("app").GetString(), Is.EqualTo("shop"));
        Assert.That(succeeded.GetProperty("version").GetString(), Is.EqualTo("abc1234"));
        Assert.That(succeeded.GetProperty("servers").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "10.0.0.1", "10.0.0.2" }));
        Assert.That(succeeded.GetProperty("by").GetString(), Is.EqualTo("ana"));
        Assert.That(succeeded.GetProperty("message").GetString(), Is.EqualTo("Fix checkout"));
        Assert.That(succeeded.GetProperty("at").GetString(), Is.EqualTo("2026-12-01T12:00:00Z"));
        Assert.That(succeeded.GetProperty("previous").GetString(), Is.EqualTo("9f8e7d6"));
        Assert.That(succeeded.GetProperty("duration_seconds").GetDouble(), Is.GreaterThanOrEqualTo(0));
        Assert.That(events[0].GetProperty("rollout").GetString(), Is.EqualTo("serial"));
    }

    [Test]
    public async Task A_failure_carries_the_error_as_json_output_says_it()
    {
        using var notifier = new Notifier([new Uri(_receiver.Url("hook"))], Output());
        var notices = new Notices(notifier, Notices.Rollback, Noon);

        await notices.StartedAsync(Notices.Subject(Config(), "9f8e7d6", "ana"));
        await notices.FailedAsync(new DeploymentException("10.0.0.2: health check failed", "podlift logs"));

        var failed = Json(_receiver.Requests[^1]);
        Assert.That(failed.GetProperty("event").GetString(), Is.EqualTo("rollback_failed"));
        Assert.That(failed.GetProperty("message").GetString(), Is.EqualTo("10.0.0.2: health check failed"));
        Assert.That(failed.GetProperty("fix").GetString(), Is.EqualTo("podlift logs"));
        Assert.That(failed.GetProperty("exit_code").GetInt32(), Is.EqualTo(4));
    }

    [Test]
    public async Task A_command_that_never_started_reports_nothing()
    {
        using var notifier = new Notifier([new Uri(_receiver.Url("hook"))], Output());

        await new Notices(notifier, Notices.Deploy).FailedAsync(new ValidationException("git tree is dirty"));

        Assert.That(_receiver.Requests, Is.Empty);
    }

    [Test]
    public void An_interrupted_command_reads_as_exit_130() =>
        Assert.That(Notices.Failure(new OperationCanceledException()), Does.Contain(("exit_code", (object?)130)));
}

using System.Diagnostics;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;

namespace Podlift.Cli.Notifications;

/// <summary>
/// The events one deploy or rollback sends to notify: <c>deploy_started</c>, then <c>deploy_succeeded</c> or
/// <c>deploy_failed</c> (<c>rollback_*</c> and <c>promote_*</c> alike); a deploy that leaves a canary serving ends with
/// <c>deploy_canary</c> instead of succeeded. Every event carries what it is about (app, version, servers, who)
/// and when; a failure its message, fix and exit code, as the command's own --json error says them. A command that
/// fails before it started (a dirty git tree, a server out of reach) sends nothing.
/// </summary>
public sealed class Notices(Notifier notifier, string operation, TimeProvider? time = null)
{
    public const string Deploy = "deploy";
    public const string Rollback = "rollback";
    public const string Promote = "promote";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private (string Name, object? Value)[]? _subject;

    /// <summary>
    /// Runs a command with its events posted to podlift.yml's notify: URLs: the body sends started and how it succeeded;
    /// a podlift failure or a cancellation is posted as failed, then goes on up.
    /// </summary>
    public static async Task RunAsync(PodliftConfig config, Output.ConsoleOutput output, string operation, Func<Notices, Task> body)
    {
        using var notifier = new Notifier(config.Notify, output);
        var notices = new Notices(notifier, operation);
        try
        {
            await body(notices);
        }
        catch (Exception e) when (e is PodliftException or OperationCanceledException)
        {
            await notices.FailedAsync(e);
            throw;
        }
    }

    /// <summary>What every event of the command says first: app, version, servers, who ran it. Pure.</summary>
    public static (string Name, object? Value)[] Subject(PodliftConfig config, string version, string by) =>
        [("app", config.App), ("version", version), ("servers", config.Servers.Select(s => s.Host).ToArray()), ("by", by)];

    /// <summary>How a failure reads in an event: the --json error's fields. Pure.</summary>
    public static (string Name, object? Value)[] Failure(Exception error) => error switch
    {
        PodliftException e => [("message", e.Message), ("fix", e.Fix), ("exit_code", (int)e.ExitCode)],
        OperationCanceledException => [("message", "interrupted"), ("fix", null), ("exit_code", 130)],
        _ => [("message", error.Message), ("fix", null), ("exit_code", (int)ExitCode.Deployment)],
    };

    public Task StartedAsync(IEnumerable<(string Name, object? Value)> subject, params (string Name, object? Value)[] details)
    {
        _subject = subject.ToArray();
        return SendAsync("started", details);
    }

    public Task SucceededAsync(params (string Name, object? Value)[] details) => SendAsync("succeeded", [.. details, Duration()]);

    /// <summary>The deploy left a canary serving beside the old version: it waits for promote or rollback.</summary>
    public Task CanaryAsync(params (string Name, object? Value)[] details) => SendAsync("canary", [.. details, Duration()]);

    /// <summary>Only after <see cref="StartedAsync"/>: a command that never started has nothing to report.</summary>
    public Task FailedAsync(Exception error) => _subject is null ? Task.CompletedTask : SendAsync("failed", [.. Failure(error), Duration()]);

    private (string, object?) Duration() => ("duration_seconds", Math.Round(_clock.Elapsed.TotalSeconds, 1));

    private Task SendAsync(string outcome, (string Name, object? Value)[] details) =>
        notifier.SendAsync($"{operation}_{outcome}", [.. _subject ?? [], ("at", _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ")), .. details]);
}

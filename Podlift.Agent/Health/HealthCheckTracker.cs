namespace Podlift.Agent.Health;

/// <summary>What one probe saw.</summary>
public abstract record ProbeOutcome
{
    public sealed record Answered(int StatusCode) : ProbeOutcome;
    public sealed record NoAnswer(string Reason) : ProbeOutcome;
    public sealed record ContainerExited(long ExitCode) : ProbeOutcome;
}

/// <summary>What to do after a probe.</summary>
public abstract record HealthDecision
{
    public sealed record Healthy : HealthDecision;
    public sealed record Unhealthy(string Reason) : HealthDecision;
    public sealed record ProbeAgainAfter(TimeSpan Delay) : HealthDecision;
}

/// <summary>
/// The health-check policy as a pure state machine: feed it probe outcomes and elapsed time, it says
/// healthy, unhealthy, or when to probe again. Probes back off from 100 ms to the configured interval,
/// so a fast app is found healthy in a fraction of a second and a slow one is not hammered. No answer
/// and 503 (still starting) are waited out until the timeout; any other wrong answer fails after
/// `retries` of them, so a wrong path is reported at once.
/// </summary>
public sealed class HealthCheckTracker(HealthCheckSettings settings)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private const int NotReadyYet = 503;
    private int _probes;
    private int _wrongAnswers;

    public HealthDecision Record(ProbeOutcome outcome, TimeSpan elapsed)
    {
        _probes++;
        string lastProblem;
        switch (outcome)
        {
            case ProbeOutcome.Answered answered when settings.Check.IsHealthy(answered.StatusCode):
                return new HealthDecision.Healthy();
            case ProbeOutcome.Answered { StatusCode: NotReadyYet }:
                // an app that is still starting (its database not reachable yet) says so with 503: wait, as for no answer
                lastProblem = $"GET {settings.Check.Path} answered {NotReadyYet} (not ready yet)";
                break;
            case ProbeOutcome.Answered answered:
                _wrongAnswers++;
                lastProblem = $"GET {settings.Check.Path} answered {answered.StatusCode}, expected {string.Join(" or ", settings.Check.Expect)}";
                if (_wrongAnswers >= settings.Retries)
                    return new HealthDecision.Unhealthy($"{lastProblem} ({_wrongAnswers} times)");
                break;
            case ProbeOutcome.ContainerExited exited:
                return new HealthDecision.Unhealthy($"the container exited with code {exited.ExitCode}");
            case ProbeOutcome.NoAnswer noAnswer:
                lastProblem = $"GET {settings.Check.Path}: {noAnswer.Reason}";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome));
        }

        if (elapsed >= settings.Timeout)
            return new HealthDecision.Unhealthy($"timeout {Format(settings.Timeout)}: {lastProblem}");

        var backoff = TimeSpan.FromTicks(FirstDelay.Ticks << Math.Min(_probes - 1, 16));
        var delay = backoff < settings.Interval ? backoff : settings.Interval;
        var remaining = settings.Timeout - elapsed;
        return new HealthDecision.ProbeAgainAfter(delay < remaining ? delay : remaining);
    }

    /// <summary>How long one probe may wait for an answer.</summary>
    public TimeSpan ProbeTimeout(TimeSpan elapsed)
    {
        var remaining = settings.Timeout - elapsed;
        var cap = settings.Interval > TimeSpan.FromSeconds(1) ? settings.Interval : TimeSpan.FromSeconds(1);
        var timeout = remaining < cap ? remaining : cap;
        return timeout > TimeSpan.FromMilliseconds(200) ? timeout : TimeSpan.FromMilliseconds(200);
    }

    private static string Format(TimeSpan span) =>
        span.TotalSeconds >= 1 && span.Milliseconds == 0 ? $"{(int)span.TotalSeconds}s" : $"{span.TotalMilliseconds:0}ms";
}

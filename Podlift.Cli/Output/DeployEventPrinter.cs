using Podlift.Protocol;

namespace Podlift.Cli.Output;

/// <summary>How an operation's agent steps are numbered and named, as in the guide.</summary>
public sealed record StepLayout(int Total, IReadOnlyDictionary<DeployStep, (int Number, string Title)> Steps, string AfterHooksTitle)
{
    public static readonly StepLayout Deploy = new(7, new Dictionary<DeployStep, (int, string)>
    {
        [DeployStep.Start] = (5, "Start containers"),
        [DeployStep.Switch] = (6, "Update nginx"),
        [DeployStep.Cleanup] = (7, "Cleanup"),
        [DeployStep.Canary] = (6, "Update nginx (canary)"),
    }, "Running post-deploy hooks");

    public static readonly StepLayout Rollback = new(4, new Dictionary<DeployStep, (int, string)>
    {
        [DeployStep.Start] = (1, "Starting old containers"),
        [DeployStep.Switch] = (2, "Updating nginx"),
        [DeployStep.Cleanup] = (3, "Stopping current containers"),
    }, "Running after_rollback hooks");

    public static readonly StepLayout Promote = new(3, new Dictionary<DeployStep, (int, string)>
    {
        [DeployStep.Start] = (1, "Checking the canary's containers"),
        [DeployStep.Switch] = (2, "Updating nginx"),
        [DeployStep.Cleanup] = (3, "Stopping the old containers"),
    }, "Running post-deploy hooks");

    public static readonly StepLayout Abort = new(3, new Dictionary<DeployStep, (int, string)>
    {
        [DeployStep.Start] = (1, "Checking the current containers"),
        [DeployStep.Switch] = (2, "Updating nginx"),
        [DeployStep.Cleanup] = (3, "Removing the canary"),
    }, "Running after hooks");

    public static StepLayout For(Operation operation) => operation switch
    {
        Operation.Rollback => Rollback,
        Operation.Promote => Promote,
        Operation.Abort => Abort,
        _ => Deploy,
    };

    public string Title(DeployStep step) => step switch
    {
        DeployStep.BeforeHooks => "Running before_deploy hooks",
        DeployStep.Release => "Running the release command",
        DeployStep.Verify => "Verifying the new version",
        DeployStep.Canary => "Canary",
        DeployStep.AfterHooks => AfterHooksTitle,
        _ => Steps.TryGetValue(step, out var known) ? known.Title : step.ToString(),
    };
}

/// <summary>Prints an agent's job events as the guide's numbered steps and remembers how the job ended.</summary>
public sealed class DeployEventPrinter(ConsoleOutput output)
{
    private readonly List<string> _failureDetail = [];

    public DeployFinished? Finished { get; private set; }
    public string DeployId { get; private set; } = "";
    public Operation Operation { get; private set; }
    public Dictionary<DeployStep, TimeSpan> StepDurations { get; } = [];
    public IReadOnlyList<string> FailureDetail => _failureDetail;
    public HookRan? FailedHook { get; private set; }

    public void Handle(DeployEvent deployEvent)
    {
        DeployId = deployEvent.DeployId;
        Operation = deployEvent.Operation;
        var layout = StepLayout.For(deployEvent.Operation);
        switch (deployEvent.KindCase)
        {
            case DeployEvent.KindOneofCase.StepStarted:
                var step = deployEvent.StepStarted.Step;
                if (layout.Steps.TryGetValue(step, out var numbered)) output.Step(numbered.Number, layout.Total, numbered.Title);
                else output.Line($"{layout.Title(step)}...");
                break;
            case DeployEvent.KindOneofCase.StepFinished:
                var duration = TimeSpan.FromMilliseconds(deployEvent.StepFinished.DurationMilliseconds);
                StepDurations[deployEvent.StepFinished.Step] = duration;
                output.Detail($"({layout.Title(deployEvent.StepFinished.Step)}: {Format.Duration(duration)})");
                break;
            case DeployEvent.KindOneofCase.Message:
                Print(deployEvent.Message);
                break;
            case DeployEvent.KindOneofCase.HealthChecked:
                Print(deployEvent.HealthChecked);
                break;
            case DeployEvent.KindOneofCase.HookRan:
                Print(deployEvent.HookRan);
                break;
            case DeployEvent.KindOneofCase.Finished:
                Finished = deployEvent.Finished;
                if (output.Json) Emit(Finished);
                break;
            case DeployEvent.KindOneofCase.Plan:
                output.Detail("The agent's plan:");
                foreach (var line in PlanPrinter.Lines(deployEvent.Plan)) output.Detail(line);
                break;
        }
    }

    /// <summary>--json: the verification's figures and a revert as events of their own, for CI to act on.</summary>
    private void Emit(DeployFinished finished)
    {
        if (finished.Verified is { } verified)
            output.Event("verify", ("passed", verified.Passed), ("requests", verified.Requests), ("errors", verified.Errors),
                ("window_seconds", verified.WindowMilliseconds / 1000.0), ("detail", verified.Detail));
        if (finished.RevertedTo.Length > 0)
            output.Event("revert", ("version", finished.Version), ("to", finished.RevertedTo), ("reason", finished.Error));
        if (finished.Canary is { } canary)
        {
            output.Event("canary", ("version", canary.Version), ("share", canary.Share), ("beside", canary.StandsBeside), ("status", CanaryWord(canary.Status)));
            if (canary.Status == CanaryStatus.Promoted) output.Event("promote", ("version", canary.Version), ("from", canary.StandsBeside), ("by", "hold"));
            if (canary.Status == CanaryStatus.Aborted) output.Event("abort", ("version", canary.Version), ("to", canary.StandsBeside), ("reason", finished.Error));
        }
        else if (finished.Success && Operation == Operation.Promote) output.Event("promote", ("version", finished.Version), ("from", finished.PreviousVersion), ("by", "podlift promote"));
        else if (finished.Success && Operation == Operation.Abort) output.Event("abort", ("version", finished.PreviousVersion), ("to", finished.Version), ("reason", "podlift rollback"));
    }

    private static string CanaryWord(CanaryStatus status) => status switch
    {
        CanaryStatus.Serving => "serving",
        CanaryStatus.Promoted => "promoted",
        CanaryStatus.Aborted => "aborted",
        _ => "unknown",
    };

    private void Print(Message message)
    {
        switch (message.Level)
        {
            case EventLevel.Success: output.Ok(message.Text); break;
            case EventLevel.Warning: output.Warn(message.Text); break;
            case EventLevel.Error: _failureDetail.AddRange(message.Text.Split('\n')); break;
            case EventLevel.Detail: output.Detail(message.Text); break;
            default: output.Line(message.Text); break;
        }
    }

    private void Print(HealthChecked check)
    {
        var duration = Format.Duration(TimeSpan.FromMilliseconds(check.DurationMilliseconds));
        if (check.Passed)
        {
            output.Ok($"Health check passed ({duration})");
            return;
        }
        output.Fail($"Health check failed ({duration}): {check.Reason}");
        if (check.LogTail.Count == 0) return;
        output.Line($"Last log lines of {check.Container}:");
        foreach (var line in check.LogTail) output.Line($"  | {line}");
    }

    private void Print(HookRan hook)
    {
        var duration = Format.Duration(TimeSpan.FromMilliseconds(hook.DurationMilliseconds));
        if (hook.Passed)
        {
            output.Ok($"{hook.Command} ({duration})");
            foreach (var line in hook.Output) output.Detail($"| {line}");
            return;
        }
        FailedHook = hook;
        output.Fail($"{hook.Command} failed (exit {hook.ExitCode}, {duration})");
        foreach (var line in hook.Output) output.Line($"  | {line}");
    }
}

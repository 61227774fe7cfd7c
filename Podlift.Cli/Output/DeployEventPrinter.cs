using Podlift.Protocol;

namespace Podlift.Cli.Output;

/// <summary>Prints an agent's deploy events as the guide's numbered steps and remembers how it ended.</summary>
public sealed class DeployEventPrinter(ConsoleOutput output, int totalSteps)
{
    private readonly List<string> _failureDetail = [];

    public DeployFinished? Finished { get; private set; }
    public string DeployId { get; private set; } = "";
    public Dictionary<DeployStep, TimeSpan> StepDurations { get; } = [];
    public IReadOnlyList<string> FailureDetail => _failureDetail;

    public static int StepNumber(DeployStep step) => step switch
    {
        DeployStep.Start => 5,
        DeployStep.Switch => 6,
        DeployStep.Cleanup => 7,
        _ => 0,
    };

    public static string StepTitle(DeployStep step) => step switch
    {
        DeployStep.Start => "Start containers",
        DeployStep.Switch => "Update nginx",
        DeployStep.Cleanup => "Cleanup",
        _ => step.ToString(),
    };

    public void Handle(DeployEvent deployEvent)
    {
        DeployId = deployEvent.DeployId;
        switch (deployEvent.KindCase)
        {
            case DeployEvent.KindOneofCase.StepStarted:
                output.Step(StepNumber(deployEvent.StepStarted.Step), totalSteps, StepTitle(deployEvent.StepStarted.Step));
                break;
            case DeployEvent.KindOneofCase.StepFinished:
                var duration = TimeSpan.FromMilliseconds(deployEvent.StepFinished.DurationMilliseconds);
                StepDurations[deployEvent.StepFinished.Step] = duration;
                output.Detail($"({StepTitle(deployEvent.StepFinished.Step)}: {Format.Duration(duration)})");
                break;
            case DeployEvent.KindOneofCase.Message:
                Print(deployEvent.Message);
                break;
            case DeployEvent.KindOneofCase.HealthChecked:
                Print(deployEvent.HealthChecked);
                break;
            case DeployEvent.KindOneofCase.Finished:
                Finished = deployEvent.Finished;
                break;
        }
    }

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
}

using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Plans;

/// <summary>What a job will do on this server, in order: a planner's answer, the executor's input, `--dry-run`'s output.</summary>
public sealed record Plan(Operation Operation, DeployPlan Request, IReadOnlyList<PlanAction> Actions)
{
    /// <summary>A rollback: the recorded deployment it returns to.</summary>
    public DeploymentRecord? RollbackTarget { get; init; }

    /// <summary>The plan as the wire carries it to `--dry-run` and into the journal.</summary>
    public PlanPreview Preview()
    {
        var preview = new PlanPreview { Operation = Operation, Version = Request.Version };
        foreach (var action in Actions)
            preview.Steps.Add(new PlannedAction { Step = action.Step, Kind = action.GetType().Name, Description = action.Describe(), Undo = action.Undo ?? "" });
        return preview;
    }
}

/// <summary>A job that must not start: the planner says why, before anything is touched.</summary>
public sealed class PlanRefused(string message, string? fix = null) : Exception(message)
{
    public string? Fix { get; } = fix;
}

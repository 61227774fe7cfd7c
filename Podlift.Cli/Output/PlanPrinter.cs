using Podlift.Protocol;

namespace Podlift.Cli.Output;

/// <summary>Prints the plan an agent would run (--dry-run), under the numbered steps of the guide, each action with its undo.</summary>
public static class PlanPrinter
{
    public static IEnumerable<string> Lines(PlanPreview plan)
    {
        var layout = StepLayout.For(plan.Operation);
        DeployStep? step = null;
        foreach (var action in plan.Steps)
        {
            if (action.Step != step)
            {
                step = action.Step;
                yield return layout.Steps.TryGetValue(action.Step, out var numbered)
                    ? $"  [{numbered.Number}/{layout.Total}] {numbered.Title}"
                    : $"  {layout.Title(action.Step)}";
            }
            var lines = action.Description.Split('\n');
            foreach (var line in lines) yield return $"    {line}";
            if (action.Undo.Length > 0) yield return $"      if the {StateWords.Operation(plan.Operation)} fails before the switch: {action.Undo}";
        }
    }
}

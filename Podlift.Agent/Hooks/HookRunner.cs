using System.Diagnostics;
using Podlift.Agent.Machine;
using Podlift.Protocol;
using Podlift.Agent.Deploy;

namespace Podlift.Agent.Hooks;

/// <summary>Runs the hooks of podlift.yml on this server with `sh -c`, reporting each with its output.</summary>
public sealed class HookRunner(IHookShell shell)
{
    public static readonly TimeSpan HookTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs the commands in order; returns the first that failed, or null when all passed.</summary>
    public async Task<HookRan?> RunAsync(IEnumerable<string> commands, IReadOnlyDictionary<string, string> environment,
        DeployProgress progress, CancellationToken cancellationToken)
    {
        foreach (var command in commands)
        {
            var clock = Stopwatch.StartNew();
            var run = await shell.RunAsync(command, environment, HookTimeout, cancellationToken);
            var ran = Report(command, run, clock.Elapsed);
            progress.HookRan(ran);
            if (!ran.Passed) return ran;
        }
        return null;
    }

    /// <summary>
    /// The variables the hooks name (from podlift.yml's env file and environment) but those that describe a machine
    /// (<see cref="HookVariables"/>: this server's own apply), then podlift's own, which win.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(string app, string version, string previousVersion, Operation operation,
        IReadOnlyDictionary<string, string> hookVariables) =>
        new Dictionary<string, string>(HookVariables.Portable(hookVariables))
        {
            ["PODLIFT_APP"] = app,
            ["PODLIFT_VERSION"] = version,
            ["PODLIFT_PREVIOUS_VERSION"] = previousVersion,
            ["PODLIFT_OPERATION"] = operation == Operation.Rollback ? "rollback" : "deploy",
        };

    private static HookRan Report(string command, ShellRun run, TimeSpan duration)
    {
        var ran = new HookRan { Command = command, ExitCode = run.ExitCode, Passed = run.ExitCode == 0, DurationMilliseconds = (long)duration.TotalMilliseconds };
        ran.Output.AddRange(run.Output.TakeLast(HookShell.OutputLines));
        if (run.TimedOut) ran.Output.Add($"timed out after {HookTimeout.TotalMinutes:0} minutes: killed, with every process of its process group");
        return ran;
    }
}

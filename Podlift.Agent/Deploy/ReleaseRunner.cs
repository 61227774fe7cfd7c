using System.Diagnostics;
using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// Runs a deploy's release command (migrations) once, in a one-off container of the new image, and
/// reports it like a hook: its exit code, duration and last output lines. The container is removed
/// afterwards, whatever happened.
/// </summary>
public sealed class ReleaseRunner(IContainerRuntime runtime)
{
    public const string CommandPrefix = "release: ";
    private const int OutputLines = 30;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    public async Task<HookRan> RunAsync(ContainerSpec spec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var command = CommandPrefix + string.Join(' ', spec.Command);
        await runtime.RemoveAsync(spec.Name, CancellationToken.None); // left by a release the agent did not see to its end
        var id = await runtime.CreateAndStartAsync(spec, cancellationToken);
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            long exitCode;
            try
            {
                exitCode = await runtime.WaitForExitAsync(id, limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Report(command, -1, clock.Elapsed, [.. await runtime.TailLogAsync(id, OutputLines, CancellationToken.None),
                    $"(stopped: still running after {Format(timeout)})"]);
            }
            return Report(command, (int)exitCode, clock.Elapsed, await runtime.TailLogAsync(id, OutputLines, CancellationToken.None));
        }
        finally
        {
            await runtime.RemoveAsync(id, CancellationToken.None);
        }
    }

    private static HookRan Report(string command, int exitCode, TimeSpan duration, IEnumerable<string> output)
    {
        var ran = new HookRan { Command = command, ExitCode = exitCode, Passed = exitCode == 0, DurationMilliseconds = (long)duration.TotalMilliseconds };
        ran.Output.AddRange(output.TakeLast(OutputLines));
        return ran;
    }

    private static string Format(TimeSpan duration) => duration.TotalMinutes >= 1 ? $"{duration.TotalMinutes:0.#} minutes" : $"{duration.TotalSeconds:0} s";
}

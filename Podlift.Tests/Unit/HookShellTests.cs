using System.Diagnostics;
using Podlift.Agent.Deploy;
using Podlift.Agent.Machine;
using Podlift.Protocol;
using Podlift.Agent.Hooks;

namespace Podlift.Tests.Unit;

/// <summary>Hooks run by the real /bin/sh: bounded output, no wait on a background child holding the pipes, a timeout kills the group.</summary>
public class HookShellTests
{
    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    private static HookRunner Runner() => new(new HookShell());

    private static DeployProgress Progress() => new(new JobEvents("d-1", Operation.Deploy, null));

    /// <summary>A process this test started (its pid printed by the hook) is gone, or a zombie nobody will run again.</summary>
    private static bool IsGone(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z'); }
        catch (IOException) { return true; }
    }

    private static void Stop(int pid)
    {
        try { Process.GetProcessById(pid).Kill(); }
        catch (ArgumentException) { } // gone already
    }

    [Test, CancelAfter(60_000)]
    public async Task A_hook_that_leaves_a_child_holding_its_output_returns_once_its_shell_exits(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();

        var run = await new HookShell().RunAsync("sleep 30 & echo started $!", NoVariables, TimeSpan.FromMinutes(1), cancellationToken);

        var child = int.Parse(run.Output.Single().Split(' ')[1]);
        try
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the deploy (and its lock) must not wait for the background sleep");
            Assert.That((run.ExitCode, run.TimedOut), Is.EqualTo((0, false)));
            Assert.That(IsGone(child), Is.False, "a hook's background process is left running when the hook ends normally");
        }
        finally
        {
            Stop(child);
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task A_hook_that_times_out_is_killed_with_the_processes_it_started(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();

        var run = await new HookShell().RunAsync("sleep 30 & echo child $!; echo waiting; sleep 60", NoVariables, TimeSpan.FromSeconds(1), cancellationToken);

        var child = int.Parse(run.Output[0].Split(' ')[1]);
        try
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
            Assert.That((run.ExitCode, run.TimedOut), Is.EqualTo((-1, true)));
            Assert.That(run.Output, Is.EqualTo(new[] { $"child {child}", "waiting" }), "what it wrote before the timeout is kept");
            var gone = Stopwatch.StartNew();
            while (!IsGone(child) && gone.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(50, cancellationToken);
            Assert.That(IsGone(child), Is.True, "the background sleep is in the hook's process group, so it dies with it");
        }
        finally
        {
            Stop(child);
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task A_chatty_hook_is_reported_by_its_last_lines_without_holding_all_it_wrote(CancellationToken cancellationToken)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var failed = await Runner().RunAsync(["yes 2>/dev/null | head -c 50000000; exit 3"], NoVariables, Progress(), cancellationToken);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.That(failed!.ExitCode, Is.EqualTo(3));
        Assert.That(failed.Output, Has.Count.EqualTo(30).And.All.EqualTo("y"));
        Assert.That(allocated, Is.LessThan(20_000_000), "50 MB of output must stream through, not be held");
    }

    [Test, CancelAfter(60_000)]
    public async Task A_long_line_without_an_end_is_kept_as_its_tail(CancellationToken cancellationToken)
    {
        var run = await new HookShell().RunAsync("head -c 10000000 /dev/zero | tr '\\0' x; echo; echo done >&2", NoVariables, TimeSpan.FromMinutes(1), cancellationToken);

        Assert.That(run.Output, Has.Count.EqualTo(2));
        // the last 64 KB of stdout: 65535 x and the newline
        Assert.That(run.Output[0], Has.Length.EqualTo(64 * 1024).And.StartWith(BoundedOutput.Cut + "xxx"));
        Assert.That(run.Output[1], Is.EqualTo("done"), "stdout's lines, then stderr's");
    }

    [Test, CancelAfter(60_000)]
    public async Task The_hook_gets_the_variables_it_was_given_and_the_servers_own_account(CancellationToken cancellationToken)
    {
        var run = await new HookShell().RunAsync("echo \"token=${DEPLOY_TOKEN} home=${HOME:+set} path=${PATH:+set}\"",
            new Dictionary<string, string> { ["DEPLOY_TOKEN"] = "t0ken" }, TimeSpan.FromMinutes(1), cancellationToken);

        Assert.That(run.Output, Is.EqualTo(new[] { "token=t0ken home=set path=set" }));
    }

    /// <summary>
    /// The agent's unit tunes the agent's .NET runtime (a 256 MB heap limit, no diagnostics, a small gen0): a hook that runs a .NET
    /// program of the app (`dotnet ef database update`) must start with that program's defaults, not the agent's settings.
    /// </summary>
    [Test, CancelAfter(60_000), NonParallelizable]
    public async Task A_hook_does_not_inherit_the_agents_dotnet_runtime_settings(CancellationToken cancellationToken)
    {
        Environment.SetEnvironmentVariable("DOTNET_PodliftTestSetting", "1");
        Environment.SetEnvironmentVariable("COMPlus_PodliftTestSetting", "1");
        try
        {
            var run = await new HookShell().RunAsync("echo dotnet=${DOTNET_PodliftTestSetting-unset} complus=${COMPlus_PodliftTestSetting-unset} own=$DOTNET_OWN",
                new Dictionary<string, string> { ["DOTNET_OWN"] = "kept" }, TimeSpan.FromMinutes(1), cancellationToken);

            Assert.That(run.Output, Is.EqualTo(new[] { "dotnet=unset complus=unset own=kept" }), "what the hook's own environment names is kept");
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOTNET_PodliftTestSetting", null);
            Environment.SetEnvironmentVariable("COMPlus_PodliftTestSetting", null);
        }
    }
}

using Podlift.Agent.Deploy;
using Podlift.Agent.Machine;
using Podlift.Protocol;
using Podlift.Agent.Hooks;

namespace Podlift.Tests.Unit;

public class HookRunnerTests
{
    [Test]
    public void The_hook_environment_ignores_machine_variables_an_older_cli_sent_and_podlifts_own_win()
    {
        var sent = new Dictionary<string, string>
        {
            ["DEPLOY_TOKEN"] = "t0ken", ["HOME"] = "/Users/me", ["PATH"] = "/opt/homebrew/bin", ["LANG"] = "de_DE.UTF-8", ["SSH_AUTH_SOCK"] = "/tmp/agent.1",
            ["PODLIFT_VERSION"] = "forged",
        };

        var environment = HookRunner.Environment("myapp", "v2", "v1", Operation.Deploy, sent);

        Assert.That(environment, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["DEPLOY_TOKEN"] = "t0ken",
            ["PODLIFT_APP"] = "myapp", ["PODLIFT_VERSION"] = "v2", ["PODLIFT_PREVIOUS_VERSION"] = "v1", ["PODLIFT_OPERATION"] = "deploy",
        }));
    }

    /// <summary>A shell that runs nothing: it notes what it was given and answers as told.</summary>
    private sealed class FakeShell(params ShellRun[] answers) : IHookShell
    {
        private int _calls;
        public List<(string Command, IReadOnlyDictionary<string, string> Environment, TimeSpan Timeout)> Runs { get; } = [];

        public Task<ShellRun> RunAsync(string command, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Runs.Add((command, environment, timeout));
            return Task.FromResult(answers[Math.Min(_calls++, answers.Length - 1)]);
        }
    }

    private static DeployProgress Progress() => new(new JobEvents("d-1", Operation.Deploy, null));

    [Test]
    public async Task Each_hook_runs_with_the_environment_and_the_ten_minute_timeout_until_one_fails()
    {
        var shell = new FakeShell(new ShellRun(0, false, ["ok"]), new ShellRun(2, false, ["broken"]));
        var environment = HookRunner.Environment("myapp", "v2", "v1", Operation.Deploy, new Dictionary<string, string> { ["HOME"] = "/Users/me" });

        var failed = await new HookRunner(shell).RunAsync(["./first", "./second", "./third"], environment, Progress(), CancellationToken.None);

        Assert.That(shell.Runs.Select(r => r.Command), Is.EqualTo(new[] { "./first", "./second" }));
        Assert.That(shell.Runs.Select(r => r.Timeout), Is.All.EqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(shell.Runs[0].Environment.ContainsKey("HOME"), Is.False);
        Assert.That((failed!.Command, failed.ExitCode, failed.Passed, failed.Output.Single()), Is.EqualTo(("./second", 2, false, "broken")));
    }

    [Test]
    public async Task A_hook_that_timed_out_is_reported_with_what_it_wrote_and_why_it_stopped()
    {
        var shell = new FakeShell(new ShellRun(-1, true, ["migrating..."]));

        var failed = await new HookRunner(shell).RunAsync(["./migrate"], new Dictionary<string, string>(), Progress(), CancellationToken.None);

        Assert.That(failed!.ExitCode, Is.EqualTo(-1));
        Assert.That(failed.Output, Is.EqualTo(new[] { "migrating...", "timed out after 10 minutes: killed, with every process of its process group" }));
    }
}

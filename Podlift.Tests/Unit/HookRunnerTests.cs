using Podlift.Agent.Deploy;
using Podlift.Protocol;

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
}

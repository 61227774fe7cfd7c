using Podlift.Agent.State;
using Podlift.Cli.Output;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>The ledger's words become enums on the agent and the same words again in `status` on the CLI.</summary>
public class StateTermsTests
{
    [TestCase("succeeded", Outcome.Succeeded, "")]
    [TestCase("failed", Outcome.Failed, "")]
    [TestCase("succeeded-with-errors", Outcome.SucceededWithErrors, "")]
    [TestCase("interrupted", Outcome.Interrupted, "")]
    [TestCase("succeeded (finished by the restarted agent)", Outcome.Succeeded, "finished by the restarted agent")]
    [TestCase("vanished", Outcome.Unknown, "vanished")]
    [TestCase("vanished (somehow)", Outcome.Unknown, "vanished (somehow)")]
    public void A_recorded_outcome_is_an_enum_and_what_its_parentheses_add(string recorded, Outcome outcome, string detail)
    {
        Assert.That(StateTerms.Outcome(recorded), Is.EqualTo((outcome, detail)));
    }

    [TestCase("succeeded")]
    [TestCase("failed")]
    [TestCase("succeeded-with-errors")]
    [TestCase("interrupted")]
    [TestCase("succeeded (finished by the restarted agent)")]
    [TestCase("vanished")]
    public void Status_prints_the_outcome_in_the_ledgers_words(string recorded)
    {
        var (outcome, detail) = StateTerms.Outcome(recorded);

        Assert.That(StateWords.Outcome(new DeploymentInfo { Outcome = outcome, OutcomeDetail = detail }), Is.EqualTo(recorded));
    }

    [TestCase("healthy", HealthState.Healthy)]
    [TestCase("unhealthy", HealthState.Unhealthy)]
    [TestCase("starting", HealthState.Starting)]
    [TestCase("none", HealthState.Running)]
    [TestCase("", HealthState.Running)]
    [TestCase("confused", HealthState.Unknown)]
    public void Dockers_health_status_of_a_running_container(string docker, HealthState health)
    {
        Assert.That(StateTerms.DockerHealth(docker), Is.EqualTo(health));
    }

    [TestCase(HealthState.Healthy, "running", "healthy")]
    [TestCase(HealthState.Running, "running", "running")]
    [TestCase(HealthState.Stopped, "exited", "exited")]
    [TestCase(HealthState.Stopped, "", "stopped")]
    [TestCase(HealthState.Unknown, "running", "unknown")]
    public void A_stopped_container_shows_dockers_state_and_a_stopped_dependency_says_stopped(HealthState health, string status, string shown)
    {
        Assert.That(StateWords.Health(health, status), Is.EqualTo(shown));
    }
}

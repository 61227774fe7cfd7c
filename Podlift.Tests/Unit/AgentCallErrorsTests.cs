using Grpc.Core;
using Podlift.Cli.Errors;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class AgentCallErrorsTests
{
    private const string Host = "10.0.0.1";
    private static readonly AgentCall Deploy = new("Deploy", "the deploy");
    private static readonly AgentCall Push = new("PushImage", "the image transfer");

    private static AgentCallException Translate(RpcException error, AgentCall? call = null) => AgentCallErrors.Translate(Host, call ?? Deploy, error);

    private static RpcException Bare(StatusCode status, string detail) => new(new Status(status, detail));

    [Test]
    public void A_request_the_agent_refused_is_a_validation_error_naming_the_field()
    {
        var error = Translate(AgentErrors.Exception(AgentErrorReason.InvalidRequest, "services[0].env[MODE] must not contain a NUL character"));

        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Validation));
        Assert.That(error.Message, Is.EqualTo("10.0.0.1: the agent refused the Deploy request: services[0].env[MODE] must not contain a NUL character"));
        Assert.That(error.Reason, Is.EqualTo(AgentErrorReason.InvalidRequest));
    }

    [Test]
    public void The_reason_not_the_status_code_says_what_a_failed_precondition_means()
    {
        var refused = Translate(AgentErrors.Exception(AgentErrorReason.RollbackRefused, "abc1234's image is no longer on this server"));
        var notRunning = Translate(AgentErrors.Exception(AgentErrorReason.ContainerNotFound, "shop-web-abc1234-2 is not running (it is exited)"));
        var notStarted = Translate(AgentErrors.Exception(AgentErrorReason.JobNotStarted, "the job could not start: this server's disk is full"));

        Assert.That(new[] { refused, notRunning, notStarted }.Select(e => AgentErrors.StatusOf(e.Reason)).Distinct(), Is.EqualTo(new[] { StatusCode.FailedPrecondition }));
        Assert.That((refused.ExitCode, refused.Fix), Is.EqualTo((ExitCode.Validation, "nothing was changed; `podlift ps --all` shows the versions on the servers")));
        Assert.That((notRunning.ExitCode, notRunning.Fix), Is.EqualTo((ExitCode.Validation, "`podlift ps` shows what runs there; `podlift deploy` deploys the current commit")));
        Assert.That(notStarted.ExitCode, Is.EqualTo(ExitCode.Deployment), "a job the server could not start is not bad input");
        Assert.That(notStarted.Fix, Does.Not.Contain("ps --all"));
        Assert.That(refused.Message, Is.EqualTo("10.0.0.1: abc1234's image is no longer on this server"));
    }

    [Test]
    public void Another_job_holding_the_app_is_a_deployment_error_naming_it()
    {
        var error = Translate(AgentErrors.Exception(AgentErrorReason.AppLocked, "a deploy of shop is already running: abc1234 by alice"));

        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Deployment));
        Assert.That(error.Message, Is.EqualTo("10.0.0.1: a deploy of shop is already running: abc1234 by alice"));
        Assert.That(error.Fix, Does.Contain("podlift attach"));
    }

    [Test]
    public void A_refused_image_keeps_its_reason_for_the_fallback_to_the_full_image()
    {
        var error = Translate(AgentErrors.Exception(AgentErrorReason.ImageRefused, "open /var/lib/docker/...: no such file"), Push);

        Assert.That((error.Reason, error.Detail), Is.EqualTo((AgentErrorReason.ImageRefused, "open /var/lib/docker/...: no such file")));
        Assert.That(error.Message, Is.EqualTo("10.0.0.1: the image transfer failed: open /var/lib/docker/...: no such file"));
        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Deployment));
    }

    [Test]
    public void An_rpc_the_agent_does_not_know_means_it_is_older_than_this_podlift()
    {
        var error = Translate(Bare(StatusCode.Unimplemented, "Service is unimplemented."), new AgentCall("PullImage", "the pull"));

        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Connection));
        Assert.That(error.Message, Does.StartWith("10.0.0.1: this podlift-agent does not know `PullImage`: it is older than this podlift"));
        Assert.That(error.Fix, Is.EqualTo(CapabilityCheck.Fix));
        Assert.That(error.ConnectionLost, Is.False);
    }

    [TestCase(StatusCode.Unavailable)]
    [TestCase(StatusCode.Internal)]
    [TestCase(StatusCode.Cancelled)]
    [TestCase(StatusCode.DeadlineExceeded)]
    public void A_transport_failure_without_a_reason_is_a_lost_connection(StatusCode status)
    {
        var error = Translate(Bare(status, "Error reading next message. HttpIOException: The response ended prematurely"), Push);

        Assert.That(error.ConnectionLost, Is.True);
        Assert.That(error.Reason, Is.EqualTo(AgentErrorReason.None));
        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Connection));
        Assert.That(error.Message, Is.EqualTo("10.0.0.1: the connection to the agent was lost during the image transfer"));
    }

    [Test]
    public void A_reason_wins_over_a_status_that_would_mean_a_lost_connection()
    {
        var error = Translate(AgentErrors.Exception(AgentErrorReason.DockerRefused, "Docker refused: container is paused"));

        Assert.That(AgentErrors.StatusOf(AgentErrorReason.DockerRefused), Is.EqualTo(StatusCode.Internal));
        Assert.That(error.ConnectionLost, Is.False);
        Assert.That(error.Message, Is.EqualTo("10.0.0.1: Docker refused: container is paused"));
    }

    [Test]
    public void Anything_else_names_the_call_and_what_grpc_said()
    {
        var error = Translate(Bare(StatusCode.Unknown, "Exception was thrown by handler."));

        Assert.That(error.Message, Is.EqualTo("10.0.0.1: `Deploy` failed: Exception was thrown by handler."));
        Assert.That(error.Fix, Does.Contain("journalctl -u podlift-agent"));
        Assert.That((error.ExitCode, error.ConnectionLost), Is.EqualTo((ExitCode.Connection, false)));
    }

    [Test]
    public void Every_reason_has_a_translation_with_a_documented_exit_code()
    {
        foreach (var reason in Enum.GetValues<AgentErrorReason>().Where(r => r != AgentErrorReason.None))
        {
            var error = Translate(AgentErrors.Exception(reason, "what happened"));

            Assert.That(error.Reason, Is.EqualTo(reason));
            Assert.That(error.ExitCode, Is.Not.EqualTo(ExitCode.General).And.Not.EqualTo(ExitCode.Success), reason.ToString());
            Assert.That(error.Message, Does.StartWith("10.0.0.1: ").And.Contain("what happened"), reason.ToString());
        }
    }
}

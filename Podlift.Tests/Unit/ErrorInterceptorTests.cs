using System.Net;
using Docker.DotNet;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Deploy;
using Podlift.Agent.Operate;
using Podlift.Agent.Proxy;
using Podlift.Agent.Rpc;
using Podlift.Agent.Rpc.Validation;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class ErrorInterceptorTests
{
    private readonly ErrorInterceptor _errors = new(NullLogger<ErrorInterceptor>.Instance);

    private static RunningJob Holder() =>
        new(new JobSpec(Operation.Deploy, new DeployPlan { App = "shop", Version = "abc1234", DeployedBy = "alice" }, "d-1", new HooksPlan(), null),
            new JobEvents("d-1", Operation.Deploy, null), DateTimeOffset.UtcNow);

    private static IEnumerable<TestCaseData> KnownFailures()
    {
        yield return new TestCaseData(new AgentFailure(AgentErrorReason.NotDeployed, "shop serves nothing"), AgentErrorReason.NotDeployed, "shop serves nothing")
            .SetName("an AgentFailure keeps its reason");
        yield return new TestCaseData(new AppLockedException(Holder()), AgentErrorReason.AppLocked, "a deploy of shop is already running")
            .SetName("another job of the app: app-locked");
        yield return new TestCaseData(new RollbackRefused("abc1234's image is gone"), AgentErrorReason.RollbackRefused, "abc1234's image is gone")
            .SetName("a refused rollback");
        yield return new TestCaseData(new FileNotFoundException("no deploy of shop is recorded on this server"), AgentErrorReason.NotFound, "no deploy of shop")
            .SetName("attach to nothing recorded: not-found");
        yield return new TestCaseData(new ContainerLookupException("shop-web-abc1234-1 is not running"), AgentErrorReason.ContainerNotFound, "shop-web-abc1234-1 is not running")
            .SetName("logs or exec of what does not run");
        yield return new TestCaseData(new BadExecRequestException("no command to run"), AgentErrorReason.InvalidRequest, "no command to run")
            .SetName("a bad exec start");
        yield return new TestCaseData(new DockerApiException(HttpStatusCode.Conflict, "container is paused"), AgentErrorReason.DockerRefused, "Docker refused: ")
            .SetName("Docker's API refusing");
        yield return new TestCaseData(new ProxyException("nginx rejected the new config, the previous one is kept", previousRestored: true), AgentErrorReason.ProxyFailed,
            "nginx rejected").SetName("nginx refusing");
    }

    [TestCaseSource(nameof(KnownFailures))]
    public void Each_failure_the_agent_reports_has_its_reason(Exception failure, AgentErrorReason reason, string messageStart)
    {
        var error = AgentErrorMap.For(failure);

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Reason, Is.EqualTo(reason));
        Assert.That(error.Message, Does.StartWith(messageStart));
    }

    [Test]
    public void Anything_else_is_not_the_agents_to_report()
    {
        Assert.That(AgentErrorMap.For(new InvalidOperationException("a bug")), Is.Null);
        Assert.That(AgentErrorMap.For(new OperationCanceledException()), Is.Null, "a client that went away is not a failure to report");
    }

    [Test]
    public void A_failure_leaves_with_its_reasons_status_and_the_reason_in_the_trailer()
    {
        var refused = Assert.ThrowsAsync<RpcException>(() => _errors.UnaryServerHandler<ApplyProxyRequest, ApplyProxyReply>(new ApplyProxyRequest(), null!,
            (_, _) => throw new AgentFailure(AgentErrorReason.NotDeployed, "shop serves nothing through nginx on this server yet; deploy it first")))!;

        Assert.That(refused.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(refused.Status.Detail, Is.EqualTo("shop serves nothing through nginx on this server yet; deploy it first"));
        Assert.That(refused.Trailers.GetValue(AgentErrors.ReasonTrailer), Is.EqualTo("not-deployed"));
        Assert.That(AgentErrors.ReasonOf(refused), Is.EqualTo(AgentErrorReason.NotDeployed));
    }

    [Test]
    public void A_streaming_calls_failure_is_reported_the_same_way()
    {
        var refused = Assert.ThrowsAsync<RpcException>(() => _errors.ServerStreamingServerHandler<AttachRequest, DeployEvent>(new AttachRequest(), null!, null!,
            (_, _, _) => throw new FileNotFoundException("no deploy of shop is recorded on this server")))!;

        Assert.That((refused.StatusCode, AgentErrors.ReasonOf(refused)), Is.EqualTo((StatusCode.NotFound, AgentErrorReason.NotFound)));
    }

    [Test]
    public void What_the_validator_refuses_leaves_as_invalid_argument_with_its_reason()
    {
        var validation = new ValidationInterceptor(NullLogger<ValidationInterceptor>.Instance);
        var called = false;

        var refused = Assert.ThrowsAsync<RpcException>(() => _errors.UnaryServerHandler<StateRequest, StateReply>(new StateRequest { App = "../etc" }, null!,
            (request, context) => validation.UnaryServerHandler(request, context, (_, _) =>
            {
                called = true;
                return Task.FromResult(new StateReply());
            })))!;

        Assert.That(refused.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(AgentErrors.ReasonOf(refused), Is.EqualTo(AgentErrorReason.InvalidRequest));
        Assert.That(refused.Status.Detail, Does.StartWith("app must be lowercase letters"));
        Assert.That(called, Is.False);
    }

    [Test]
    public void An_unknown_exception_passes_through_untouched()
    {
        var bug = new InvalidOperationException("a bug");

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => _errors.UnaryServerHandler<StateRequest, StateReply>(new StateRequest(), null!, (_, _) => throw bug));

        Assert.That(thrown, Is.SameAs(bug));
    }

    [Test]
    public void Every_reason_has_a_wire_name_that_reads_back_as_itself()
    {
        foreach (var reason in Enum.GetValues<AgentErrorReason>().Where(r => r != AgentErrorReason.None))
        {
            Assert.That(AgentErrors.Name(reason), Is.Not.Empty, reason.ToString());
            Assert.That(AgentErrors.Parse(AgentErrors.Name(reason)), Is.EqualTo(reason));
            Assert.That(AgentErrors.StatusOf(reason), Is.Not.EqualTo(StatusCode.Unavailable), "Unavailable means a lost connection to the CLI");
        }
        Assert.That(AgentErrors.Parse("a-reason-of-a-newer-agent"), Is.EqualTo(AgentErrorReason.None));
        Assert.That(AgentErrors.Parse(null), Is.EqualTo(AgentErrorReason.None));
    }
}

using Grpc.Core;
using Podlift.Cli.Errors;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class AgentCallErrorsTests
{
    [Test]
    public void A_request_the_agent_refused_is_a_validation_error_naming_the_field()
    {
        var refused = new RpcException(new Status(StatusCode.InvalidArgument, "services[0].env[MODE] must not contain a NUL character"));

        var error = AgentCallErrors.Translate("10.0.0.1", "job", refused);

        Assert.That(error, Is.InstanceOf<ValidationException>());
        Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Validation));
        Assert.That(error.Message, Is.EqualTo("10.0.0.1: the agent refused the job request: services[0].env[MODE] must not contain a NUL character"));
    }
}

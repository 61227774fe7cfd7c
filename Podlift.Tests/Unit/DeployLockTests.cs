using NUnit.Framework;
using Podlift.Cli.Errors;
using Podlift.Cli.Planning;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class DeployLockTests
{
    private static HelloReply Running(params ActiveDeploy[] deploys) => new() { ActiveDeploys = { deploys } };

    private static ActiveDeploy Deploy(string app) => new()
    {
        App = app, Version = "4f2a9c1", DeployedBy = "Ada", DeployId = "20261201T120102Z-4f2a9c1",
        StartedAtUnixMilliseconds = new DateTimeOffset(2026, 12, 1, 12, 1, 2, TimeSpan.Zero).ToUnixTimeMilliseconds(), Step = DeployStep.Start,
    };

    [Test]
    public void AnAgentDeployingTheApp_RefusesItNamingTheHolder()
    {
        var refusal = DeployLock.Refusal("shop", [("10.0.0.1", Running()), ("10.0.0.2", Running(Deploy("shop")))]);

        Assert.That(refusal, Is.Not.Null);
        Assert.That(refusal!.ExitCode, Is.EqualTo(ExitCode.Deployment));
        Assert.That(refusal.Message, Is.EqualTo(
            "10.0.0.2: a deploy of shop is already running: 4f2a9c1 by Ada, since 12:01:02 UTC (now: Start containers; deploy id 20261201T120102Z-4f2a9c1)"));
        Assert.That(refusal.Fix, Does.Contain("nothing was changed").And.Contain("podlift attach"));
    }

    [Test]
    public void NoJob_OrAnotherAppsJob_RefusesNothing()
    {
        Assert.That(DeployLock.Refusal("shop", [("10.0.0.1", Running()), ("10.0.0.2", Running(Deploy("blog")))]), Is.Null);
    }

    [Test]
    public void AJobAtItsStart_SaysSo()
    {
        var starting = Deploy("shop");
        starting.Step = DeployStep.Unspecified;

        Assert.That(DeployLock.Refusal("shop", [("10.0.0.1", Running(starting))])!.Message, Does.Contain("(now: starting;"));
    }
}

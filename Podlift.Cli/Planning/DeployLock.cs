using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Planning;

/// <summary>
/// The agents' deploy lock, read before anything is pushed or sent: each agent's Hello lists the jobs it
/// runs, and a deploy of an app one of them is deploying (or rolling back) is refused at once, as that agent would
/// refuse it once the image had been moved. An agent that does not report its jobs, or a job that starts after the
/// Hello, is still refused by the agent's own lock. Pure.
/// </summary>
public static class DeployLock
{
    /// <summary>The refusal, naming the job that holds the lock, its version, who started it and when; null when no agent runs a job of the app.</summary>
    public static DeploymentException? Refusal(string app, IEnumerable<(string Host, HelloReply Hello)> agents)
    {
        foreach (var (host, hello) in agents)
            if (hello.ActiveDeploys.FirstOrDefault(deploy => deploy.App == app) is { } holder)
                return new DeploymentException($"{host}: a deploy of {app} is already running: {Describe(holder)}", AgentCallErrors.AppLockedFix);
        return null;
    }

    /// <summary>"4f2a9c1 by Ada, since 12:01:02 UTC (now: Start containers; deploy id 20260101T120102Z-4f2a9c1)".</summary>
    private static string Describe(ActiveDeploy holder)
    {
        var since = DateTimeOffset.FromUnixTimeMilliseconds(holder.StartedAtUnixMilliseconds).UtcDateTime;
        var step = holder.Step == DeployStep.Unspecified ? "starting" : StepLayout.Deploy.Title(holder.Step);
        return $"{holder.Version} by {holder.DeployedBy}, since {since:HH:mm:ss} UTC (now: {step}; deploy id {holder.DeployId})";
    }
}

using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>Typed helpers for what a job reports; all of it lands in <see cref="JobEvents"/>.</summary>
public sealed class DeployProgress(JobEvents events)
{
    public void StepStarted(DeployStep step) => events.Publish(new DeployEvent { StepStarted = new StepStarted { Step = step } });

    public void StepFinished(DeployStep step, TimeSpan duration) =>
        events.Publish(new DeployEvent { StepFinished = new StepFinished { Step = step, DurationMilliseconds = (long)duration.TotalMilliseconds } });

    /// <summary>From here on the job reverts: its events are a rollback's.</summary>
    public void Reverting() => events.TurnInto(Operation.Rollback);

    /// <summary>From here on the job promotes its canary, or removes it.</summary>
    public void TurningInto(Operation operation) => events.TurnInto(operation);

    public void Info(string text) => Say(EventLevel.Info, text);
    public void Success(string text) => Say(EventLevel.Success, text);
    public void Warning(string text) => Say(EventLevel.Warning, text);
    public void Error(string text) => Say(EventLevel.Error, text);
    public void Detail(string text) => Say(EventLevel.Detail, text);

    public void HealthChecked(string container, bool passed, TimeSpan duration, string reason = "", IEnumerable<string>? logTail = null)
    {
        var check = new HealthChecked { Container = container, Passed = passed, DurationMilliseconds = (long)duration.TotalMilliseconds, Reason = reason };
        if (logTail is not null) check.LogTail.AddRange(logTail);
        events.Publish(new DeployEvent { HealthChecked = check });
    }

    public void AwaitingSwitch(string service, IEnumerable<Backend> backends, bool awaitsGo = false)
    {
        var awaiting = new AwaitingSwitch { Service = service, AwaitsGo = awaitsGo };
        awaiting.Backends.AddRange(backends);
        events.Publish(new DeployEvent { AwaitingSwitch = awaiting });
    }

    public void HookRan(HookRan ran) => events.Publish(new DeployEvent { HookRan = ran });

    public void Finished(bool success, string version, string previousVersion, TimeSpan duration, string error = "", Proxy.TrafficReceipt? receipt = null) =>
        Finished(new JobEnd(success, version, previousVersion, duration, error, receipt));

    public void Finished(JobEnd end) =>
        events.Publish(new DeployEvent
        {
            Finished = new DeployFinished
            {
                Success = end.Success, Version = end.Version, PreviousVersion = end.PreviousVersion,
                DurationMilliseconds = (long)end.Elapsed.TotalMilliseconds, Error = end.Error, Receipt = end.Receipt?.ToProto(),
                Verified = end.Verified, RevertedTo = end.RevertedTo, Canary = end.Canary,
            },
        });

    public void Say(EventLevel level, string text) => events.Publish(new DeployEvent { Message = new Message { Level = level, Text = text } });

    public void Plan(PlanPreview plan) => events.Publish(new DeployEvent { Plan = plan });
}

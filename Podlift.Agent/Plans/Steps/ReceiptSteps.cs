using Podlift.Agent.Proxy;

namespace Podlift.Agent.Plans.Steps;

/// <summary>The switch window: where nginx's request log stood when traffic began to move, and what it logged until the old containers stopped.</summary>
public sealed class ReceiptSteps(IRequestLogFile log)
{
    public Task OpenAsync(ExecutionContext context)
    {
        context.SwitchWindow = (log.Position(context.Request.App), DateTimeOffset.UtcNow);
        return Task.CompletedTask;
    }

    /// <summary>A receipt that cannot be read is a missing receipt, never a failed deploy.</summary>
    public Task CloseAsync(CloseSwitchWindow action, ExecutionContext context)
    {
        if (context.SwitchWindow is not var (position, from)) return Task.CompletedTask;
        try
        {
            var entries = log.LinesSince(context.Request.App, position).Select(RequestLog.Parse).OfType<RequestLogEntry>();
            // an atomic rollout's primary switched the other servers' new backends too
            var othersNew = context.Others.SelectMany(o => o.Backends).Select(b => $"{b.Address}:{b.Port}").ToHashSet();
            context.Receipt = RequestLog.Count(entries, from, DateTimeOffset.UtcNow,
                backend => action.VersionOfBackend.GetValueOrDefault(backend) ?? (othersNew.Contains(backend) ? context.Request.Version : null));
            context.Progress.Success(RequestLog.Describe(context.Receipt.ToProto()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Progress.Warning($"no receipt for the switch window: {e.Message}");
        }
        return Task.CompletedTask;
    }
}

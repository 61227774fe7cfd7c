using Podlift.Protocol;

namespace Podlift.Agent.Rpc.Validation;

/// <summary>
/// Every request the agent takes, checked before any handler sees it: the socket's group may call the agent
/// directly, without the CLI's checks of podlift.yml. A value that passes cannot leave
/// /var/lib/podlift/&lt;app&gt;, add an nginx directive or name a Docker object it should not. Pure.
/// </summary>
public static class RequestValidator
{
    /// <summary>Why the request must be refused (the field, its rule and its value), or null when it may go on.</summary>
    /// <exception cref="ArgumentException">A message type no rule covers: a new RPC must come with its rules.</exception>
    public static string? Problem(object request) => Check(new FieldChecks(), request).Problem;

    private static FieldChecks Check(FieldChecks check, object request) => request switch
    {
        HelloRequest hello => OperateRules.Hello(check, hello),
        ImageStatusRequest status => ImageRules.Status(check, status),
        MissingLayersRequest layers => ImageRules.MissingLayers(check, layers),
        ImageChunk chunk => ImageRules.Chunk(check, chunk),
        PullImageRequest pull => ImageRules.Pull(check, pull),
        DeployPlan plan => DeployRules.Plan(check, plan),
        RollbackRequest rollback => DeployRules.Rollback(check, rollback),
        PromoteRequest promote => DeployRules.Promote(check, promote),
        AttachRequest attach => DeployRules.Attach(check, attach),
        ConfirmSwitchRequest confirm => DeployRules.ConfirmSwitch(check, confirm),
        SetUpstreamRequest upstream => ProxyRules.SetUpstream(check, upstream),
        ApplyProxyRequest apply => ProxyRules.ApplyProxy(check, apply),
        StateRequest state => OperateRules.State(check, state),
        LogsRequest logs => OperateRules.Logs(check, logs),
        ExecInput exec => OperateRules.Exec(check, exec),
        _ => throw new ArgumentException($"no validation rules for {request.GetType().Name}: add them to {nameof(RequestValidator)}", nameof(request)),
    };
}

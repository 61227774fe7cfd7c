using Podlift.Protocol;

namespace Podlift.Agent.Rpc.Validation;

/// <summary>The rules of the operator requests: Hello, State, Logs, Exec.</summary>
public static class OperateRules
{
    public static FieldChecks Hello(FieldChecks check, HelloRequest request) =>
        check.Line("client_version", request.ClientVersion, RequestLimits.ShortLine);

    public static FieldChecks State(FieldChecks check, StateRequest request) => check.NameOrEmpty("app", request.App);

    public static FieldChecks Logs(FieldChecks check, LogsRequest request) =>
        check.Name("app", request.App)
            .Name("service", request.Service)
            .Between("tail", request.Tail, -1, int.MaxValue)
            .Between("since_unix_seconds", request.SinceUnixSeconds, 0, long.MaxValue);

    /// <summary>The start names the container; stdin is the command's business; a resize is bounded.</summary>
    public static FieldChecks Exec(FieldChecks check, ExecInput input) => input.KindCase switch
    {
        ExecInput.KindOneofCase.Start => Start(check, input.Start),
        ExecInput.KindOneofCase.Resize => Size(check, input.Resize, "resize"),
        _ => check,
    };

    private static FieldChecks Start(FieldChecks check, ExecStart start)
    {
        check.Name("start.app", start.App)
            .Name("start.service", start.Service)
            .Between("start.replica", start.Replica, 0, PlanLimits.MaxReplicas)
            .Arguments("start.command", start.Command);
        return start.Size is { } size ? Size(check, size, "start.size") : check;
    }

    private static FieldChecks Size(FieldChecks check, TerminalSize size, string at) =>
        check.Between($"{at}.width", size.Width, 0, RequestLimits.TerminalSide).Between($"{at}.height", size.Height, 0, RequestLimits.TerminalSide);
}

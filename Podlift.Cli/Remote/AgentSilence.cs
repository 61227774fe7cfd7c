using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Remote;

/// <summary>The connection reached the server but no agent answered on its socket.</summary>
public sealed class AgentSilentException(string message, string? fix) : ConnectionException(message, fix);

/// <summary>What systemd says of a silent agent, and what that means for the command that wants to greet it.</summary>
/// <param name="AskAgain">It is starting or restarting (systemd brings a crashed agent back after a second): greet it again shortly.</param>
/// <param name="Error">Otherwise, what to tell the user.</param>
public sealed record AgentSilenceVerdict(bool AskAgain, ConnectionException? Error);

/// <summary>
/// A silent agent, judged from `systemctl is-active podlift-agent` and whether its unit is there: an agent that
/// is (re)starting is asked again for up to <see cref="Bound"/>, one that is stopped or failed is named as such,
/// and one that is not installed gets the install hint. Pure.
/// </summary>
public static class AgentSilence
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>systemd's word for the unit, whether its file is there, and whether this login may open the socket. Needs no root.</summary>
    public const string Script = $$"""
        echo "state=$(systemctl is-active podlift-agent 2>/dev/null)"
        [ -f {{AgentUnit.Path}} ] && echo installed=yes
        s={{AgentProtocol.SocketPath}}; d=$(dirname "$s")
        if [ -w "$s" ]; then echo socket=writable
        elif [ -d "$d" ] && { [ -e "$s" ] || ! [ -x "$d" ]; }; then echo socket=denied
        else echo socket=missing; fi
        exit 0
        """;

    private const string JournalHint = "see `journalctl -u podlift-agent` on the server";

    public static AgentSilentException NotInstalled(string host) =>
        new($"{host}: no podlift-agent answers on {AgentProtocol.SocketPath}", "install it with `podlift agent install`");

    /// <param name="login">Who ssh logs in as: root opens the socket whatever its group.</param>
    public static AgentSilenceVerdict Judge(string host, SshTarget login, string probeOutput, bool timeLeft)
    {
        var values = KeyValueLines.Parse(probeOutput);
        if (values.GetValueOrDefault("installed") != "yes") return new(false, NotInstalled(host));
        if (values.GetValueOrDefault("socket") == "denied" && !login.IsRoot)
            return new(false, new AgentSilentException(
                $"{host}: {login.User} may not open the agent's socket {AgentProtocol.SocketPath} (only root and the podlift group may)",
                $"`podlift agent install` adds {login.User} to the podlift group"));
        var state = values.GetValueOrDefault("state") is { Length: > 0 } word ? word : "unknown";
        return state switch
        {
            "active" or "activating" or "reloading" or "deactivating" when timeLeft => new(true, null),
            "active" or "activating" or "reloading" or "deactivating" => new(false, new AgentSilentException(
                $"{host}: podlift-agent is {state} but did not answer on {AgentProtocol.SocketPath} within {Bound.TotalSeconds:0}s", JournalHint)),
            _ => new(false, new AgentSilentException(
                $"{host}: podlift-agent is installed but not running (systemd: {state})", $"{JournalHint}; `podlift agent install` starts it again")),
        };
    }
}

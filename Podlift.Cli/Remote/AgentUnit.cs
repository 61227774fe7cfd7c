namespace Podlift.Cli.Remote;

/// <summary>Where `podlift agent install` puts the agent's systemd unit on a server, for every script that looks for it.</summary>
public static class AgentUnit
{
    public const string Path = "/etc/systemd/system/podlift-agent.service";
}

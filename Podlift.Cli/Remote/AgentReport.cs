using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Remote;

/// <summary>
/// What one server's agent said, or why it said nothing. Reports never fail as a whole: each server
/// gets its own line, whatever happened on the others.
/// </summary>
public sealed record AgentReport(ServerConfig Server, HelloReply? Hello, PodliftException? Error, RemoteAgentProbe? Installation)
{
    public bool Answered => Hello is not null;

    public bool Compatible => Hello?.ProtocolVersion == AgentProtocol.Version;

    /// <summary>This podlift's capabilities the agent does not list (all of them for one from before capabilities).</summary>
    public IReadOnlyList<string> MissingCapabilities => Hello is null ? [] : Capabilities.Supported.Except(Hello.Capabilities).ToList();

    /// <summary>"" when the agent has every capability this podlift knows; else what it lacks, and the fix.</summary>
    public string CapabilitiesNote => MissingCapabilities switch
    {
        [] => "",
        _ when Hello!.Capabilities.Count == 0 => $"from before capabilities, it lacks every one this podlift ({CliVersion.Current}) checks for: {CapabilityCheck.Fix}",
        var missing => $"lacks {string.Join(", ", missing)} of this podlift ({CliVersion.Current}): {CapabilityCheck.Fix}",
    };

    /// <summary>
    /// Connects to every server at once and greets its agent. With <paramref name="probeWhenSilent"/>, a server
    /// reachable over SSH whose agent does not answer is asked whether the agent is installed and running.
    /// </summary>
    public static async Task<IReadOnlyList<AgentReport>> CollectAsync(
        IEnumerable<ServerConfig> servers, SshSettings ssh, bool probeWhenSilent, CancellationToken cancellationToken) =>
        await Task.WhenAll(servers.Select(server => CollectOneAsync(server, ssh, probeWhenSilent, cancellationToken)));

    private static async Task<AgentReport> CollectOneAsync(ServerConfig server, SshSettings ssh, bool probeWhenSilent, CancellationToken cancellationToken)
    {
        ServerSession session;
        try
        {
            session = await ServerSession.ConnectAsync(server, ssh, cancellationToken);
        }
        catch (ConnectionException e)
        {
            return new AgentReport(server, null, e, null);
        }
        await using (session)
        {
            try
            {
                return new AgentReport(server, await session.Agent.GreetAsync(cancellationToken), null, null);
            }
            catch (ConnectionException e)
            {
                return new AgentReport(server, null, e, probeWhenSilent ? await ProbeAsync(session, cancellationToken) : null);
            }
        }
    }

    private static async Task<RemoteAgentProbe?> ProbeAsync(ServerSession session, CancellationToken cancellationToken)
    {
        try
        {
            var probe = await session.Ssh.RunScriptAsync(RemoteAgentProbe.Script, sudo: false, cancellationToken);
            return RemoteAgentProbe.Parse(probe.StandardOutput);
        }
        catch (ConnectionException)
        {
            return null;
        }
    }
}

using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Protocol;

namespace Podlift.Cli.Remote;

/// <summary>One server's agent, as it greeted us, and what a command needs of it.</summary>
public sealed record AgentNeeds(string Host, HelloReply Hello, IReadOnlyList<CapabilityNeed> Needs)
{
    /// <summary>What it lacks of the needs, each capability once. An agent that lists no capabilities lacks them all.</summary>
    public IReadOnlyList<CapabilityNeed> Missing { get; } = Needs.Where(n => !Hello.Capabilities.Contains(n.Capability)).DistinctBy(n => n.Capability).ToList();

    public IReadOnlyList<CapabilityNeed> MissingRequired => Missing.Where(n => !n.Optional).ToList();

    public IReadOnlyList<CapabilityNeed> MissingOptional => Missing.Where(n => n.Optional).ToList();
}

/// <summary>
/// Whether the agents can do what a command needs, decided from their Hello before anything changes on any server:
/// a refusal (exit 5) naming each server, its agent's version and what it lacks, or warnings for the optional
/// features the command will do without. Pure, but for <see cref="Require"/>, which acts on the verdict.
/// </summary>
public static class CapabilityCheck
{
    public const string Fix = "run `podlift agent install` to upgrade it in place";

    /// <summary>"hook-environment (hooks that name ${DB_PASSWORD}), dependency-hosts (…)".</summary>
    public static string Describe(IEnumerable<CapabilityNeed> needs) => string.Join(", ", needs.Select(n => $"{n.Capability} ({n.Reason})"));

    /// <summary>The refusal when any agent lacks a required capability; null when every one can do the command.</summary>
    public static ConnectionException? Refusal(string command, IEnumerable<AgentNeeds> agents)
    {
        var lacking = agents.Where(a => a.MissingRequired.Count > 0)
            .Select(a => $"{a.Host}: podlift-agent {a.Hello.AgentVersion}{Predates(a.Hello)} lacks what `{command}` needs: {Describe(a.MissingRequired)}")
            .ToList();
        return lacking.Count == 0
            ? null
            : new ConnectionException(string.Join('\n', lacking) + $"\nNothing was changed (this podlift is {CliVersion.Current}).", Fix);
    }

    /// <summary>One line per optional capability an agent lacks: what the command does without it.</summary>
    public static IEnumerable<string> Warnings(AgentNeeds agent) =>
        agent.MissingOptional.Select(n =>
            $"{agent.Host}: podlift-agent {agent.Hello.AgentVersion} lacks {n.Capability} ({n.Reason}): {n.Without}; `podlift agent install` upgrades it");

    /// <summary>Throws the refusal, if any; else prints the warnings.</summary>
    public static void Require(string command, IReadOnlyList<AgentNeeds> agents, ConsoleOutput output)
    {
        if (Refusal(command, agents) is { } refusal) throw refusal;
        foreach (var warning in agents.SelectMany(Warnings)) output.Warn(warning);
    }

    private static string Predates(HelloReply hello) => hello.Capabilities.Count == 0 ? " (from before capabilities)" : "";
}

using Podlift.Cli.Errors;

namespace Podlift.Cli.Remote;

/// <summary>Finds the self-contained agent binary for a server's architecture.</summary>
public static class AgentBinary
{
    public const string FileName = "podlift-agent";

    public static string RuntimeIdentifier(string unameMachine) => unameMachine switch
    {
        "x86_64" or "amd64" => "linux-x64",
        "aarch64" or "arm64" => "linux-arm64",
        _ => throw new ConnectionException($"servers of architecture {unameMachine} are not supported", "podlift-agent is built for x86_64 and aarch64"),
    };

    /// <summary>
    /// Looks, in order, at $PODLIFT_AGENT_BINARY, the installed layout (&lt;cli&gt;/agent/&lt;rid&gt;/), and a
    /// source tree's artifacts/agent/&lt;rid&gt;/ above the CLI.
    /// </summary>
    public static string Locate(string runtimeIdentifier)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PODLIFT_AGENT_BINARY") is { Length: > 0 } overridden) candidates.Add(overridden);
        candidates.Add(Path.Combine(AppContext.BaseDirectory, "agent", runtimeIdentifier, FileName));
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            candidates.Add(Path.Combine(directory.FullName, "artifacts", "agent", runtimeIdentifier, FileName));

        return candidates.FirstOrDefault(File.Exists)
               ?? throw new ConfigurationException(
                   $"no {FileName} binary for {runtimeIdentifier} found (looked in: {string.Join(", ", candidates.Take(3))}, …)",
                   $"build it with `make publish` (RID={runtimeIdentifier}), or set PODLIFT_AGENT_BINARY");
    }
}

using Podlift.Cli.Errors;

namespace Podlift.Cli.Remote;

/// <summary>Finds the self-contained agent binary for a server's architecture.</summary>
public static class AgentBinary
{
    public const string FileName = "podlift-agent";

    /// <summary>The agents podlift is published with (the Makefile's AGENT_RIDS): one per server architecture it supports.</summary>
    public static readonly IReadOnlyList<string> RuntimeIdentifiers = ["linux-x64", "linux-arm64"];

    /// <summary>
    /// The agent's runtime identifier for what `uname -m` says on the server; a refusal naming the host for any
    /// other architecture (32-bit ARM, RISC-V...), so nothing is uploaded or changed there.
    /// </summary>
    public static string RuntimeIdentifier(string host, string unameMachine) => unameMachine.Trim() switch
    {
        "x86_64" or "amd64" => "linux-x64",
        "aarch64" or "arm64" => "linux-arm64",
        var other => throw new ValidationException(
            $"{host} is a{(other.Length == 0 ? "n unknown" : $" {other}")} machine: podlift-agent is built for x86_64 and aarch64 (64-bit ARM) servers only; nothing was changed",
            "use an x86_64 or aarch64 server (a Raspberry Pi needs a 64-bit OS, whose `uname -m` says aarch64)"),
    };

    /// <summary>The binary to install on a server whose `uname -m` says <paramref name="unameMachine"/>.</summary>
    public static string For(string host, string unameMachine) => Locate(RuntimeIdentifier(host, unameMachine));

    /// <summary>
    /// Looks, in order, at $PODLIFT_AGENT_BINARY, the installed layout (&lt;cli&gt;/agent/&lt;rid&gt;/, also inside the
    /// dotnet tool's package), and a source tree's artifacts/agent/&lt;rid&gt;/ above the CLI.
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
                   $"build it with `make publish-agent RID={runtimeIdentifier}`, or set PODLIFT_AGENT_BINARY");
    }
}

using Podlift.Protocol;

namespace Podlift.Cli;

public static class CliVersion
{
    /// <summary>`podlift version`, `podlift --version` and what Hello sends the agent: the same string.</summary>
    public static string Current { get; } = BuildVersion.Of(typeof(CliVersion).Assembly);
}

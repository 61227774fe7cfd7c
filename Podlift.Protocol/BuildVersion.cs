using System.Reflection;

namespace Podlift.Protocol;

/// <summary>
/// The version a build was given (Directory.Build.targets): SemVer from git, with the commit as build metadata
/// (0.1.0-dev.71+6dc069c), so that builds of different commits never look alike. The CLI and the agent report it whole.
/// </summary>
public static class BuildVersion
{
    public static string Of(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}

using System.Runtime.InteropServices;
using Podlift.Cli.Configuration;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift version`: this CLI's version, runtime and OS/arch, then the version of each server's agent. A
/// server that cannot be reached gets a line saying so; it does not fail the command.
/// </summary>
public sealed class VersionCommand(ConsoleOutput output, SshSettings ssh)
{
    public async Task RunAsync(PodliftConfig? config, CancellationToken cancellationToken)
    {
        foreach (var line in LocalLines(CliVersion.Current, RuntimeInformation.FrameworkDescription, OperatingSystemName(), RuntimeInformation.RuntimeIdentifier))
            output.Line(line);
        if (config is null)
        {
            output.Line("agents:  no podlift.yml here, so no servers to ask");
            return;
        }
        var reports = await AgentReport.CollectAsync(config.Servers, ssh, probeWhenSilent: false, cancellationToken);
        foreach (var line in AgentLines(reports)) output.Line(line);
    }

    /// <summary>Pure.</summary>
    public static IEnumerable<string> LocalLines(string version, string runtime, string operatingSystem, string runtimeIdentifier) =>
    [
        $"podlift  {version}",
        $"runtime  {runtime}",
        $"os/arch  {operatingSystem} ({runtimeIdentifier})",
    ];

    /// <summary>One line per server: its agent's version, or why there is none. Pure.</summary>
    public static IEnumerable<string> AgentLines(IReadOnlyList<AgentReport> reports)
    {
        yield return "agents:";
        foreach (var report in reports)
        {
            var host = report.Server.Host;
            yield return report.Hello switch
            {
                null => $"  {report.Error?.Message ?? $"{host}: no answer"}",
                { } hello when !report.Compatible =>
                    $"  {host}: podlift-agent {hello.AgentVersion} (protocol {hello.ProtocolVersion}; this podlift speaks {AgentProtocol.Version}: upgrade it with `podlift agent install`)",
                { } hello when report.CapabilitiesNote is { Length: > 0 } note => $"  {host}: podlift-agent {hello.AgentVersion} ({note})",
                { } hello => $"  {host}: podlift-agent {hello.AgentVersion}",
            };
        }
    }

    private static string OperatingSystemName()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/etc/os-release"))
                foreach (var line in File.ReadLines("/etc/os-release"))
                    if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                        return line["PRETTY_NAME=".Length..].Trim('"');
        }
        catch (IOException) { }
        return RuntimeInformation.OSDescription;
    }
}

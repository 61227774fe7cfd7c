using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Podlift.Agent.Machine;

/// <summary>Facts about the server the agent runs on, for Hello.</summary>
public sealed partial class HostFacts(IProcessRunner processes)
{
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;

    public static TimeSpan AgentUptime => DateTimeOffset.UtcNow - StartedAt;

    public static string Architecture => RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    public static string OperatingSystem()
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/os-release"))
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                    return line["PRETTY_NAME=".Length..].Trim('"');
        }
        catch (IOException) { }
        return RuntimeInformation.OSDescription;
    }

    public static long DiskFreeBytes(string path = "/var/lib/docker")
    {
        try
        {
            var probe = Directory.Exists(path) ? path : "/";
            return new DriveInfo(probe).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    public async Task<string> NginxVersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            // nginx prints its version on stderr: "nginx version: nginx/1.22.1"
            var result = await processes.RunAsync("nginx", ["-v"], cancellationToken);
            var match = NginxVersionPattern().Match(result.CombinedOutput);
            return match.Success ? match.Groups[1].Value : "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }

    [GeneratedRegex(@"nginx/(\S+)")]
    private static partial Regex NginxVersionPattern();
}

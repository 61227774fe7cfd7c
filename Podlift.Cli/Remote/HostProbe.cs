using System.Globalization;

namespace Podlift.Cli.Remote;

/// <summary>What `podlift validate` reads off a server over SSH (no agent needed), and how it is judged. Pure.</summary>
public sealed record HostFacts(string? DockerVersion, string? DockerApi, string? NginxVersion, IReadOnlyDictionary<int, string> PortOwners, long? DiskFreeKilobytes)
{
    public static string Script(IEnumerable<int> ports) => $$$"""
        echo "docker=$(docker version -f '{{.Server.Version}} {{.Server.APIVersion}}' 2>/dev/null)"
        echo "nginx=$(nginx -v 2>&1 | sed -n 's|.*nginx/||p')"
        for p in {{{string.Join(' ', ports.Distinct())}}}; do
          echo "port.$p=$(ss -Hltnp "( sport = :$p )" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -1)"
        done
        d=/var/lib/docker; [ -d $d ] || d=/
        echo "disk=$(df -Pk $d | awk 'NR==2 {print $4}')"
        exit 0
        """;

    public static HostFacts Parse(string output)
    {
        var values = KeyValueLines.Parse(output);
        string? Value(string key) => values.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        var docker = Value("docker")?.Split(' ');
        var ports = values.Where(v => v.Key.StartsWith("port.", StringComparison.Ordinal))
            .ToDictionary(v => int.Parse(v.Key[5..], CultureInfo.InvariantCulture), v => v.Value);
        return new HostFacts(docker?[0], docker?.ElementAtOrDefault(1), Value("nginx"), ports,
            long.TryParse(Value("disk"), out var disk) ? disk : null);
    }
}

public enum CheckStatus
{
    Passed,
    Warning,
    Failed,
}

public sealed record Check(CheckStatus Status, string Text, string? Fix = null)
{
    public static Check Pass(string text) => new(CheckStatus.Passed, text);
    public static Check Warn(string text, string? fix = null) => new(CheckStatus.Warning, text, fix);
    public static Check Fail(string text, string? fix = null) => new(CheckStatus.Failed, text, fix);
}

/// <summary>Judges a server's facts against what a deploy needs. Pure.</summary>
public static class HostChecks
{
    public const long MinimumFreeKilobytes = 2L * 1024 * 1024;

    public static IEnumerable<Check> Judge(HostFacts facts, IReadOnlyDictionary<int, string> neededPorts)
    {
        yield return facts.DockerVersion is { } docker
            ? Check.Pass($"Docker {docker} (API {facts.DockerApi})")
            : Check.Fail("Docker is not installed or not running", "run `podlift setup`, or install docker.io and start it");
        yield return facts.NginxVersion is { } nginx
            ? Check.Pass($"nginx {nginx}")
            : Check.Fail("nginx is not installed", "run `podlift setup`, or install nginx");
        foreach (var (port, purpose) in neededPorts.OrderBy(p => p.Key))
        {
            var owner = facts.PortOwners.GetValueOrDefault(port, "");
            var program = owner.Split(' ')[0];
            yield return owner.Length == 0 ? Check.Pass($"port {port} ({purpose}): free")
                : program == "nginx" && port is 80 or 443 ? Check.Pass($"port {port} ({purpose}): nginx")
                : program == "docker-proxy" && port is not (80 or 443) ? Check.Warn($"port {port} ({purpose}): published by a Docker container (fine if it is this app's {purpose})")
                : Check.Fail($"port {port} ({purpose}) is taken by {owner}", $"stop {program} or move it to another port; podlift needs {port} for {purpose}");
        }
        yield return facts.DiskFreeKilobytes switch
        {
            null => Check.Warn("free disk space unknown"),
            < MinimumFreeKilobytes => Check.Warn($"only {facts.DiskFreeKilobytes / 1024} MB free for Docker", "free some space: images of every version kept for rollback need room"),
            var free => Check.Pass($"{free / 1024 / 1024.0:0.0} GB free for Docker"),
        };
    }
}

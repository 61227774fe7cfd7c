using Podlift.Cli.Errors;

namespace Podlift.Cli.Remote;

/// <summary>Which servers `podlift setup` knows how to prepare: Debian and Ubuntu releases with a docker.io package. Pure.</summary>
public static class SupportedOs
{
    public const string Supported = "Debian 11, 12, 13 and Ubuntu 20.04, 22.04, 24.04";

    private static readonly Dictionary<string, string[]> Releases = new()
    {
        ["debian"] = ["11", "12", "13"],
        ["ubuntu"] = ["20.04", "22.04", "24.04"],
    };

    /// <summary>The server's name for itself (PRETTY_NAME) when supported; a validation error naming what is supported otherwise.</summary>
    public static string Check(string host, string osRelease)
    {
        var values = KeyValueLines.Parse(osRelease).ToDictionary(v => v.Key, v => v.Value.Trim('"')); // os-release may quote its values
        var id = values.GetValueOrDefault("ID", "unknown");
        var version = values.GetValueOrDefault("VERSION_ID", "");
        var name = values.GetValueOrDefault("PRETTY_NAME", $"{id} {version}".Trim());
        if (Releases.TryGetValue(id, out var versions) && versions.Contains(version)) return name;
        throw new ValidationException($"{host} runs {name}, which `podlift setup` does not support (it supports {Supported})",
            "use a supported release, or install Docker and nginx yourself and run `podlift agent install`");
    }
}

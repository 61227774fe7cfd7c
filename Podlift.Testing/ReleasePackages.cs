namespace Podlift.Testing;

/// <summary>
/// The release packages `make pack` leaves in artifacts/ (`make test` and `make e2e` build them): a tarball per
/// platform with its install.sh, and the dotnet tool package.
/// </summary>
public static class ReleasePackages
{
    public static string Tarball(string runtimeIdentifier) => Path.Combine(RepositoryPaths.Artifacts, $"podlift-{runtimeIdentifier}.tar.gz");

    /// <summary>The dotnet tool package of this tree's version, or null when `make pack` has not made it.</summary>
    public static string? ToolPackage(string version) =>
        Path.Combine(RepositoryPaths.Artifacts, $"podlift.{version}.nupkg") is var path && File.Exists(path) ? path : null;

    /// <summary>Unpacks the tarball into <paramref name="directory"/>, as a user does before running its install.sh; the unpacked directory.</summary>
    public static async Task<string> UnpackAsync(string runtimeIdentifier, string directory)
    {
        var tarball = Tarball(runtimeIdentifier);
        if (!File.Exists(tarball)) throw new FileNotFoundException($"{tarball} is missing: `make pack` builds it (`make test` and `make e2e` run it)");
        Directory.CreateDirectory(directory);
        await Shell.MustAsync("tar", "-xzf", tarball, "-C", directory);
        return Path.Combine(directory, $"podlift-{runtimeIdentifier}");
    }
}

using Podlift.Tests.EndToEnd;

namespace Podlift.Tests.Cli;

/// <summary>`podlift --version`, `podlift version` and `podlift-agent --version` of one build say the same thing.</summary>
public sealed class VersionOutputTests
{
    [Test]
    public async Task TheCliAndTheAgent_ReportTheSameBuildVersion()
    {
        var outside = Directory.CreateTempSubdirectory("podlift-version-").FullName;
        try
        {
            var option = await RunAsync([RepositoryPaths.CliAssembly, "--version"], outside);
            var command = await RunAsync([RepositoryPaths.CliAssembly, "version"], outside);
            var agent = await RunAsync([RepositoryPaths.AgentAssembly, "--version"], outside);

            Assert.That(option, Does.Match(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"), "SemVer");
            Assert.That(command.Split('\n')[0], Is.EqualTo($"podlift  {option}"));
            Assert.That(agent, Is.EqualTo(option));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string[] arguments, string directory)
    {
        var result = await Shell.RunAsync("dotnet", arguments, directory, timeout: TimeSpan.FromMinutes(1));
        Assert.That(result.ExitCode, Is.Zero, result.All);
        return result.Output.Trim();
    }
}

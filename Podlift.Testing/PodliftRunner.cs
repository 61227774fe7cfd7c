using System.Diagnostics;

namespace Podlift.Testing;

/// <summary>Runs the real podlift CLI as a separate process, as a user would, against the test servers.</summary>
public sealed class PodliftRunner(AppRepository repository, string sshConfig)
{
    public Task<ShellResult> RunAsync(params string[] arguments) => RunAsync(arguments, started: null);

    public async Task<ShellResult> RunAsync(string[] arguments, Action<Process>? started, Action<string>? onOutputLine = null,
        string? sshConfigOverride = null, Action<string>? onErrorLine = null, string? input = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>
        {
            ["PODLIFT_SSH_CONFIG"] = sshConfigOverride ?? sshConfig,
            ["PODLIFT_AGENT_BINARY"] = RepositoryPaths.AgentBinary,
            ["DOCKER_BUILDKIT"] = "0",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) variables[name] = value;
        var result = await Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, .. arguments], repository.Directory,
            variables, TimeSpan.FromMinutes(5), started, onOutputLine, onErrorLine, input);
        HarnessLog.Write($"$ podlift {string.Join(' ', arguments)}  (exit {result.ExitCode})\n{result.All}");
        return result;
    }
}

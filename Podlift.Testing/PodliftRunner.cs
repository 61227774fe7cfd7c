using System.Diagnostics;

namespace Podlift.Testing;

/// <summary>Runs the real podlift CLI as a separate process, as a user would, against the test servers.</summary>
/// <param name="program">A published podlift (a single file, as the release packages carry it); null: the CLI's build output under dotnet.</param>
public sealed class PodliftRunner(AppRepository repository, string sshConfig, string? program = null)
{
    /// <summary>The same servers and repository, run by another podlift program (null: the build output under dotnet).</summary>
    public PodliftRunner With(string? otherProgram) => new(repository, sshConfig, otherProgram);

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
        var (file, all) = program is null ? ("dotnet", [RepositoryPaths.CliAssembly, .. arguments]) : (program, arguments);
        var result = await Shell.RunAsync(file, all, repository.Directory,
            variables, TimeSpan.FromMinutes(5), started, onOutputLine, onErrorLine, input);
        HarnessLog.Write($"$ podlift {string.Join(' ', arguments)}  (exit {result.ExitCode})\n{result.All}");
        return result;
    }
}

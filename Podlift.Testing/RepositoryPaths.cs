namespace Podlift.Testing;

/// <summary>Where the source tree and its build outputs are, seen from the program running the harness (the tests or the bench).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>deploy/testing: what the tests, the bench and the demo use (deploy/dist is what ships).</summary>
    public static string Testing => Path.Combine(Root, "deploy", "testing");

    public static string TestServersScripts => Path.Combine(Testing, "test-servers");

    /// <summary>The apps the tests deploy: the example app and the zoo's real apps.</summary>
    public static string Apps => Path.Combine(Testing, "apps");

    public static string ExampleApp => Path.Combine(Apps, "example");

    public static string BenchScripts => Path.Combine(Testing, "bench");

    /// <summary>What `make publish-agents` and `make pack` write: the agents per architecture, the release packages.</summary>
    public static string Artifacts => Path.Combine(Root, "artifacts");

    /// <summary>The published agent for one server architecture (linux-x64, linux-arm64).</summary>
    public static string PublishedAgent(string runtimeIdentifier) => Path.Combine(Artifacts, "agent", runtimeIdentifier, "podlift-agent");

    public static string AgentBinary =>
        Environment.GetEnvironmentVariable("PODLIFT_AGENT_BINARY") is { Length: > 0 } overridden
            ? overridden
            : PublishedAgent("linux-x64");

    /// <summary>The CLI from its own build output (same configuration as the program running the harness), with its own deps.json.</summary>
    public static string CliAssembly => BuildOutput("Podlift.Cli", "podlift.dll");

    /// <summary>The agent from its own build output (not the published single file).</summary>
    public static string AgentAssembly => BuildOutput("Podlift.Agent", "podlift-agent.dll");

    private static string BuildOutput(string project, string assembly)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var path = Path.Combine(Root, project, "bin", testOutput.Parent!.Name, testOutput.Name, assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException("build it first (dotnet build podlift.sln)", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "podlift.sln"))) return directory.FullName;
        throw new InvalidOperationException("podlift.sln not found above " + AppContext.BaseDirectory);
    }
}

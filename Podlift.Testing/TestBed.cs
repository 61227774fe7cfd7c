namespace Podlift.Testing;

/// <summary>
/// What an end-to-end fixture or the bench works on: real test servers, an app repository, and the podlift
/// CLI pointed at both. Disposing it removes the repository and the servers.
/// </summary>
public sealed class TestBed : IAsyncDisposable
{
    private TestBed(TestServers servers, AppRepository app)
    {
        Servers = servers;
        App = app;
        Podlift = new PodliftRunner(app, servers.SshConfig);
    }

    public TestServers Servers { get; }
    public AppRepository App { get; }
    public PodliftRunner Podlift { get; }

    /// <summary>Brings <paramref name="serverCount"/> servers up and creates the example app's repository; on failure removes what it started.</summary>
    public static async Task<TestBed> StartAsync(TestServers servers, int serverCount, string app)
    {
        if (!File.Exists(RepositoryPaths.AgentBinary))
            throw new FileNotFoundException($"build the agent first (make publish-agent): {RepositoryPaths.AgentBinary}", RepositoryPaths.AgentBinary);
        try
        {
            await servers.UpAsync(serverCount);
            return new TestBed(servers, await AppRepository.CreateAsync(app));
        }
        catch
        {
            try { await servers.DownAsync(); }
            catch (Exception e) { HarnessLog.Write($"removing the servers after a failed start failed too: {e.Message}"); } // the first failure is the one to see
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        App.Dispose();
        await Servers.DownAsync();
    }
}

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// What every end-to-end fixture shares: its own real test servers (on its own prefix, subnet and
/// loopback ports), an app repository, and the podlift CLI pointed at both; all removed afterwards.
/// </summary>
public abstract class ServerFixture(string suite, string prefix, string subnet, int httpPortBase)
{
    protected TestServers _servers = null!;
    protected AppRepository _app = null!;
    protected PodliftRunner _podlift = null!;

    protected async Task StartAsync(int serverCount, string app, string profile = "full")
    {
        Assert.That(File.Exists(RepositoryPaths.AgentBinary), $"build the agent first (make publish-agent): {RepositoryPaths.AgentBinary}");
        _servers = new TestServers(suite, prefix, subnet, httpPortBase, profile);
        await _servers.UpAsync(serverCount);
        _app = await AppRepository.CreateAsync(app);
        _podlift = new PodliftRunner(_app, _servers.SshConfig);
    }

    protected async Task InstallAgentAsync()
    {
        var install = await _podlift.RunAsync("agent", "install");
        Assert.That(install.ExitCode, Is.EqualTo(0), install.All);
    }

    [OneTimeTearDown]
    public async Task StopServersAsync()
    {
        _app?.Dispose();
        if (_servers is not null) await _servers.DownAsync();
    }
}

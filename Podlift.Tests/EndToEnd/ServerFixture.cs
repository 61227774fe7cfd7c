namespace Podlift.Tests.EndToEnd;

/// <summary>
/// What every end-to-end fixture shares: its own real test servers (on its own prefix, subnet and
/// loopback ports), an app repository, and the podlift CLI pointed at both; all removed afterwards.
/// </summary>
public abstract class ServerFixture(string suite, string prefix, string subnet, int httpPortBase)
{
    private TestBed? _bed;
    protected TestServers _servers = null!;
    protected AppRepository _app = null!;
    protected PodliftRunner _podlift = null!;

    protected async Task StartAsync(int serverCount, string app, string profile = "full")
    {
        _bed = await TestBed.StartAsync(new TestServers(suite, new ServerPlace(prefix, subnet, httpPortBase), profile), serverCount, app);
        (_servers, _app, _podlift) = (_bed.Servers, _bed.App, _bed.Podlift);
    }

    protected async Task InstallAgentAsync()
    {
        var install = await _podlift.RunAsync("agent", "install");
        Assert.That(install.ExitCode, Is.EqualTo(0), install.All);
    }

    /// <summary>A failed test keeps each agent's restarts and last journal lines in its output (.ci/failed-tests prints the first line): the servers are removed when the fixture ends.</summary>
    [TearDown]
    public async Task ReportAgentsOfAFailedTestAsync()
    {
        if (_bed is null || TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Failed) return;
        for (var server = 1; server <= _servers.Count; server++)
        {
            try { TestContext.Out.WriteLine(await _servers.AgentReportAsync(server)); }
            catch (Exception e) { TestContext.Out.WriteLine($"agent on server {server}: no report ({e.Message})"); }
        }
    }

    [OneTimeTearDown]
    public async Task StopServersAsync()
    {
        _app?.Dispose(); // a fixture may have put another repository in its place
        if (_bed is not null) await _bed.DisposeAsync();
    }
}

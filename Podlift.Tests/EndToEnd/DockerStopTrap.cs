namespace Podlift.Tests.EndToEnd;

/// <summary>
/// Catches a server's Docker in the middle of a call. The app gets a layer of 64 MB of random bytes, so the image's
/// transfer lasts long enough, and dockerd is stopped (SIGSTOP) on the server the moment a shell condition holds there.
/// Disposing resumes Docker and drops the layer's commit: the app is back at the commit that serves.
/// </summary>
internal sealed class DockerStopTrap : IAsyncDisposable
{
    private const string Marker = "/tmp/stopped-docker";

    private readonly TestServers _servers;
    private readonly AppRepository _app;
    private readonly int _server;

    private DockerStopTrap(TestServers servers, AppRepository app, int server) => (_servers, _app, _server) = (servers, app, server);

    /// <param name="condition">A shell test, polled every 20 ms for 2 minutes.</param>
    public static async Task<DockerStopTrap> SetAsync(TestServers servers, AppRepository app, int server, string condition)
    {
        var dockerfile = File.ReadAllText(Path.Combine(app.Directory, "Dockerfile"));
        app.WriteFile("Dockerfile", dockerfile + "RUN [\"/bin/busybox\", \"dd\", \"if=/dev/urandom\", \"of=/ballast\", \"bs=1M\", \"count=64\"]\n");
        await app.CommitAllAsync("a big layer");
        await servers.MustSshAsync(server, $"rm -f {Marker}; nohup sh -c 'for i in $(seq 6000); do " +
                                           $"if {condition}; then kill -STOP $(cat /var/run/docker.pid); touch {Marker}; exit; fi; " +
                                           "sleep 0.02; done' >/dev/null 2>&1 &");
        return new DockerStopTrap(servers, app, server);
    }

    public async Task<bool> SprungAsync() => (await _servers.SshAsync(_server, $"test -e {Marker}")).ExitCode == 0;

    public async ValueTask DisposeAsync()
    {
        await _servers.MustSshAsync(_server, "kill -CONT $(cat /var/run/docker.pid)");
        await _app.GitAsync("reset", "-q", "--hard", "HEAD~1");
    }
}

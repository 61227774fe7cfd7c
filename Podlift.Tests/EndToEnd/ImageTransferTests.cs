using System.Globalization;
using System.Text.RegularExpressions;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// Layer-delta transfer on a real server: an app on a 50 MB base layer is sent whole once (a `docker save`
/// stream); a new version (the example app's www layer changed, and the small layers built on top of it) then
/// sends only those small layers, from Docker's push to the CLI, and the server serves it; with
/// PODLIFT_TRANSFER=save, or a Docker reached over TCP (that cannot push to the CLI), as a save stream without the base.
/// </summary>
[TestFixture("bookworm", "e2eim", "10.130.0", 18780)]
[Category("e2e")]
[NonParallelizable]
public sealed partial class ImageTransferTests(string suite, string prefix, string subnet, int httpPortBase)
    : ServerFixture(suite, prefix, subnet, httpPortBase)
{
    private const string BaseImage = "podlift-e2e-bigbase:50";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await TestImages.BigBaseAsync(BaseImage, 50);
        await StartAsync(1, "bigapp");
        await _app.UseBaseImageAsync(BaseImage);
        _app.WriteConfig($"""
            service: bigapp
            image: bigapp
            servers:
              - host: {_servers.Ip(1)}
            services:
              web:
                port: 8000
                healthcheck: {"{"} path: /health, timeout: 20s, interval: 1s {"}"}
            drain: 5s
            """);
        await InstallAgentAsync();
    }

    [Test]
    public async Task A_new_version_sends_only_its_small_layers_not_the_base()
    {
        await _app.CommitVersionAsync("v1");
        var first = await _podlift.RunAsync("deploy");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.All);
        var firstBytes = BytesSent(first.Output);
        Assert.That(firstBytes, Is.GreaterThan(50_000_000), "the first deploy sends the whole image, base layer included");
        Assert.That(first.Output, Does.Match(@"sent to \S+: (\d+) of \1 layers, zstd"));

        await _app.CommitVersionAsync("v2");
        var second = await _podlift.RunAsync("deploy");
        Assert.That(second.ExitCode, Is.EqualTo(0), second.All);
        var secondBytes = BytesSent(second.Output);

        Assert.That(secondBytes, Is.LessThan(firstBytes / 20), $"the redeploy sent {secondBytes} bytes, the first deploy {firstBytes}");
        Assert.That(second.Output, Does.Match(@"\d of \d+ layers, \d+ already there, from Docker's push"), "the base layer stays behind, and no docker save ran");
        Assert.That(await ServedAsync(), Is.EqualTo("v2"));
        Assert.That(await _servers.MustSshAsync(1, $"docker image inspect -f '{{{{.Id}}}}' bigapp:{await _app.HeadShaAsync()}"), Does.StartWith("sha256:"));
    }

    [Test]
    public async Task An_image_already_on_the_server_sends_nothing()
    {
        await _app.CommitVersionAsync("v3");
        Assert.That((await _podlift.RunAsync("deploy")).ExitCode, Is.EqualTo(0));
        await _podlift.RunAsync("rollback");

        var again = await _podlift.RunAsync("deploy", "--skip-build");

        Assert.That(again.ExitCode, Is.EqualTo(0), again.All);
        Assert.That(again.Output, Does.Contain("is already on").And.Contain("nothing to send"));
        Assert.That(await ServedAsync(), Is.EqualTo("v3"));
    }

    [Test]
    public async Task With_PODLIFT_TRANSFER_save_a_new_version_goes_as_a_save_stream_without_the_base()
    {
        await _app.CommitVersionAsync($"v4-{Guid.NewGuid():N}"[..12]);

        var deploy = await _podlift.RunAsync(["deploy"], started: null, environment: new Dictionary<string, string> { ["PODLIFT_TRANSFER"] = "save" });

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(deploy.Output, Does.Match(@"\d of \d+ layers, \d+ already there \(5\d\.\d MB not sent\), zstd"), "Docker 20.10 loads the partial save stream");
        Assert.That(await ServedAsync(), Does.StartWith("v4-"));
    }

    [Test]
    public async Task With_a_Docker_reached_over_TCP_a_new_version_goes_as_a_save_stream_without_the_base()
    {
        await _app.CommitVersionAsync($"v5-{Guid.NewGuid():N}"[..12]);
        await using var docker = new DockerOverTcp();

        var deploy = await _podlift.RunAsync(["deploy", "-v"], started: null, environment: new Dictionary<string, string> { ["DOCKER_HOST"] = docker.DockerHost });

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(deploy.Output, Does.Contain("a docker save stream is sent: the local Docker is not reached through a unix socket"),
            "its 127.0.0.1 may not be this machine's: Docker is not asked to push to the CLI");
        Assert.That(deploy.Output, Does.Match(@"\d of \d+ layers, \d+ already there \(5\d\.\d MB not sent\), zstd"));
        Assert.That(BytesSent(deploy.Output), Is.LessThan(1_000_000));
        Assert.That(await ServedAsync(), Does.StartWith("v5-"));
    }

    /// <summary>"✓ 51.1 MB sent to 10.130.0.11: ..." → bytes.</summary>
    private static long BytesSent(string output)
    {
        var match = SentLine().Match(output);
        Assert.That(match.Success, $"no transfer line in:\n{output}");
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return (long)(value * match.Groups[2].Value switch { "B" => 1, "KB" => 1024, "MB" => 1024 * 1024, _ => 1024 * 1024 * 1024 });
    }

    [GeneratedRegex(@"✓ ([\d.]+) (B|KB|MB|GB) sent to ")]
    private static partial Regex SentLine();

    private async Task<string> ServedAsync()
    {
        using var http = new HttpClient();
        return (await http.GetStringAsync(new Uri(_servers.Http(1), "/version"))).Trim();
    }
}

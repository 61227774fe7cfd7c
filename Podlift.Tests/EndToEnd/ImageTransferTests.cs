using System.Globalization;
using System.Text.RegularExpressions;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// Layer-delta transfer on a real server: an app on a 50 MB base layer is sent whole once (a `docker save`
/// stream); a new version (the example app's www layer changed, and the small layers built on top of it) then
/// sends only those small layers, from Docker's push to the CLI, and the server serves it; with
/// PODLIFT_TRANSFER=save, or a Docker reached over TCP (that cannot push to the CLI), as a save stream without the base.
/// An image built for the other platform takes the same path.
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

    /// <summary>
    /// --skip-build of an image built before (the push then starts while the server connects): what it brings is still only
    /// what the server lacks, taken from Docker's push. That the push overlaps the connection is timed by the bench, not here.
    /// </summary>
    [Test]
    public async Task An_image_built_before_and_deployed_with_skip_build_sends_only_its_small_layers()
    {
        await BaseLayerOnServerAsync();
        await _app.CommitVersionAsync("v5");
        await _app.BuildImageAsync("bigapp");

        var deploy = await _podlift.RunAsync("deploy", "--skip-build", "--verbose");

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(deploy.Output, Does.Match(@"\d of \d+ layers, \d+ already there, from Docker's push"), "the base layer stays behind");
        Assert.That(BytesSent(deploy.Output), Is.LessThan(1_000_000), deploy.Output);
        Assert.That(deploy.Output, Does.Match(@"Docker's push: [1-9]\d* layer\(s\) uploaded"), "the new layers came by Docker's push");
        Assert.That(await ServedAsync(), Is.EqualTo("v5"));
        // this commit's name under the push's repository (an image the push named keeps a digest there, shown as <none>)
        var tags = await Shell.RunAsync("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}"]);
        Assert.That(tags.Output, Does.Not.Contain($"/podlift/bigapp:{await _app.HeadShaAsync()}"), "the name Docker pushed under is removed once its push ended");
    }

    /// <summary>
    /// --skip-build asks the server what it lacks while the checks run: a commit never built is still refused by the check,
    /// with its own error, not by the question that needed the image.
    /// </summary>
    [Test]
    public async Task Skip_build_of_a_commit_never_built_is_refused_by_its_check_and_changes_nothing()
    {
        await _app.CommitVersionAsync("v6");
        Assert.That((await _podlift.RunAsync("deploy")).ExitCode, Is.EqualTo(0));
        await _app.CommitVersionAsync("v7");

        var deploy = await _podlift.RunAsync("deploy", "--skip-build");

        Assert.That(deploy.ExitCode, Is.EqualTo(3), deploy.All);
        Assert.That(deploy.All, Does.Contain($"--skip-build, but there is no local image bigapp:{await _app.HeadShaAsync()}").And.Contain("deploy once without --skip-build"));
        Assert.That(await ServedAsync(), Is.EqualTo("v6"), "the version before still serves");
    }

    [Test]
    public async Task An_image_already_on_the_server_sends_nothing()
    {
        await _app.CommitVersionAsync("v3");
        Assert.That((await _podlift.RunAsync("deploy")).ExitCode, Is.EqualTo(0));
        await _podlift.RunAsync("rollback");

        var again = await _podlift.RunAsync("deploy", "--skip-build", "--verbose");

        Assert.That(again.ExitCode, Is.EqualTo(0), again.All);
        Assert.That(again.Output, Does.Contain("is already on").And.Contain("nothing to send"));
        Assert.That(again.Output, Does.Not.Contain("Docker's push:"), "Docker's push is stopped, not waited for, when the server has the image");
        Assert.That(await ServedAsync(), Is.EqualTo("v3"));
    }

    /// <summary>
    /// builder.platform linux/arm64 on an x64 server: a Dockerfile that only copies files (FROM scratch, COPY) builds for
    /// arm64 without emulation; it travels by its layers like any image (the second version sends only what changed),
    /// and the server holds an arm64 image (its x86 busybox still runs there). The fixture's app is put back after.
    /// </summary>
    [Test]
    public async Task An_image_for_another_platform_is_built_without_emulation_and_sent_by_its_layers()
    {
        var dockerfile = File.ReadAllText(Path.Combine(_app.Directory, "Dockerfile"));
        var config = File.ReadAllText(Path.Combine(_app.Directory, "podlift.yml"));
        try
        {
            File.Copy(Path.Combine(RepositoryPaths.ExampleApp, "busybox"), Path.Combine(_app.Directory, "busybox"), overwrite: true);
            // its own first step (`/bin/`, not `/bin/busybox`): the classic builder's cache, shared by every test on this
            // Docker, does not tell platforms apart, so the same step would give every later native build these arm64 layers
            // (a LABEL first does not do: the classic builder makes it for its own platform and the next step then fails)
            _app.WriteFile("Dockerfile", """
                FROM scratch
                COPY busybox /bin/
                COPY start.sh /start.sh
                COPY www /www
                ENV PATH=/bin
                EXPOSE 8000
                STOPSIGNAL SIGTERM
                ENTRYPOINT ["/bin/busybox", "sh", "/start.sh"]
                """);
            _app.WriteConfig(config.TrimEnd() + "\nbuilder:\n  platform: linux/arm64\n");
            await _app.CommitVersionAsync("arm1");
            var first = await _podlift.RunAsync("deploy");
            Assert.That(first.ExitCode, Is.EqualTo(0), first.All);
            Assert.That(first.Output, Does.Contain($"bigapp:{await _app.HeadShaAsync()} built for linux/arm64"));
            Assert.That(first.Output, Does.Contain($"builder.platform is linux/arm64, but {_servers.Ip(1)} is linux/amd64"));

            await _app.CommitVersionAsync("arm2");
            var second = await _podlift.RunAsync("deploy");
            Assert.That(second.ExitCode, Is.EqualTo(0), second.All);
            Assert.That(second.Output, Does.Match(@"sent to \S+: 1 of 3 layers, 2 already there"), "only the www layer changed");
            Assert.That(await ServedAsync(), Is.EqualTo("arm2"));
            var sha = await _app.HeadShaAsync();
            Assert.That(await _servers.MustSshAsync(1, $"docker image inspect -f '{{{{.Os}}}}/{{{{.Architecture}}}}' bigapp:{sha}"), Does.StartWith("linux/arm64"));
        }
        finally
        {
            _app.WriteFile("Dockerfile", dockerfile);
            _app.WriteConfig(config);
            _app.DeleteFile("busybox");
            await _app.CommitAllAsync("back to the fixture's app");
        }
    }

    /// <summary>
    /// A Dockerfile with a RUN step, for arm64, on this x64 Docker without arm64 emulation: refused before anything is
    /// built or sent, with the ways to get emulation as the fix. Where binfmt_misc runs arm64 programs it would build:
    /// the test then says so and is skipped.
    /// </summary>
    [Test]
    public async Task A_RUN_step_for_a_platform_the_local_Docker_cannot_run_is_refused_before_anything_is_built()
    {
        if (File.Exists("/proc/sys/fs/binfmt_misc/qemu-aarch64"))
            Assert.Ignore("this machine's kernel runs arm64 programs (binfmt_misc qemu-aarch64): the build would work, there is no refusal to see");
        var dockerfile = File.ReadAllText(Path.Combine(_app.Directory, "Dockerfile"));
        var config = File.ReadAllText(Path.Combine(_app.Directory, "podlift.yml"));
        try
        {
            _app.WriteFile("Dockerfile", dockerfile.TrimEnd() + "\nRUN true\n");
            _app.WriteConfig(config.TrimEnd() + "\nbuilder:\n  platform: linux/arm64\n");
            await _app.CommitVersionAsync("needs-emulation");

            var refused = await _podlift.RunAsync("deploy");

            Assert.That(refused.ExitCode, Is.EqualTo(3), refused.All);
            Assert.That(refused.All, Does.Contain("Dockerfile runs commands (RUN) for linux/arm64").And.Contain("nothing was built or sent")
                .And.Contain("tonistiigi/binfmt --install arm64"));
            Assert.That(refused.Output, Does.Not.Contain("[2/7] Build"));
            Assert.That((await Shell.RunAsync("docker", ["image", "inspect", $"bigapp:{await _app.HeadShaAsync()}"])).ExitCode, Is.Not.EqualTo(0), "nothing was built");
            Assert.That((await _servers.MustSshAsync(1, $"docker image ls -q bigapp:{await _app.HeadShaAsync()}")).Trim(), Is.Empty, "nothing was sent");
        }
        finally
        {
            _app.WriteFile("Dockerfile", dockerfile);
            _app.WriteConfig(config);
            await _app.CommitAllAsync("back to the fixture's app");
        }
    }

    /// <summary>
    /// notify: on a real deploy and rollback: a webhook on this machine gets each command's started and succeeded
    /// events, and a deploy that fails after it started (--skip-build of a commit never built) its failed event; the
    /// URL's secret path is never printed.
    /// </summary>
    [Test]
    public async Task Deploys_and_rollbacks_post_their_events_to_the_notify_webhooks()
    {
        const string secret = "T0SECRET/B0/hook-token";
        using var receiver = new WebhookReceiver();
        var config = File.ReadAllText(Path.Combine(_app.Directory, "podlift.yml"));
        try
        {
            _app.WriteConfig(config.TrimEnd() + $"\nnotify:\n  - {receiver.Url($"services/{secret}")}\n");
            await _app.CommitVersionAsync("n1");
            var deployed = await _podlift.RunAsync("deploy");
            Assert.That(deployed.ExitCode, Is.EqualTo(0), deployed.All);
            var rolledBack = await _podlift.RunAsync("rollback");
            Assert.That(rolledBack.ExitCode, Is.EqualTo(0), rolledBack.All);
            await _app.CommitVersionAsync("n2");
            var failed = await _podlift.RunAsync("deploy", "--skip-build");
            Assert.That(failed.ExitCode, Is.EqualTo(3), failed.All);

            var events = receiver.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement).ToList();
            Assert.That(events.Select(e => e.GetProperty("event").GetString()), Is.EqualTo(new[]
                { "deploy_started", "deploy_succeeded", "rollback_started", "rollback_succeeded", "deploy_started", "deploy_failed" }));
            Assert.That(events[1].GetProperty("app").GetString(), Is.EqualTo("bigapp"));
            Assert.That(events[1].GetProperty("servers")[0].GetString(), Is.EqualTo(_servers.Ip(1)));
            Assert.That(events[5].GetProperty("message").GetString(), Does.Contain("--skip-build"));
            Assert.That(events[5].GetProperty("exit_code").GetInt32(), Is.EqualTo(3));
            Assert.That(receiver.Requests.Select(r => r.Path), Is.All.EqualTo($"/services/{secret}"));
            Assert.That(deployed.All + rolledBack.All + failed.All, Does.Not.Contain("T0SECRET"));
        }
        finally
        {
            _app.WriteConfig(config);
            await _app.CommitAllAsync("no notify");
        }
    }

    [Test]
    public async Task With_PODLIFT_TRANSFER_save_a_new_version_goes_as_a_save_stream_without_the_base()
    {
        await BaseLayerOnServerAsync();
        await _app.CommitVersionAsync($"v4-{Guid.NewGuid():N}"[..12]);

        var deploy = await _podlift.RunAsync(["deploy"], started: null, environment: new Dictionary<string, string> { ["PODLIFT_TRANSFER"] = "save" });

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(deploy.Output, Does.Match(@"\d of \d+ layers, \d+ already there \(5\d\.\d MB not sent\), zstd"), "Docker 20.10 loads the partial save stream");
        Assert.That(await ServedAsync(), Does.StartWith("v4-"));
    }

    [Test]
    public async Task With_a_Docker_reached_over_TCP_a_new_version_goes_as_a_save_stream_without_the_base()
    {
        await BaseLayerOnServerAsync();
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

    /// <summary>
    /// A version deployed, so that the base layer is on the server whatever ran before: a test that asserts it is not
    /// sent again must not take that from a test NUnit happened to run first (a filtered run has none).
    /// </summary>
    private async Task BaseLayerOnServerAsync()
    {
        await _app.CommitVersionAsync($"base-{Guid.NewGuid():N}"[..12]);
        var deploy = await _podlift.RunAsync("deploy");
        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
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

using Podlift.Agent.Docker;
using Podlift.Agent.Images;
using Podlift.Cli.Delivery;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class RegistryErrorsTests
{
    [TestCase("unauthorized: authentication required", RegistryProblem.Unauthorized)]
    [TestCase("Get \"https://10.0.0.1:5443/v2/\": no basic auth credentials", RegistryProblem.Unauthorized)]
    [TestCase("login attempt to https://10.0.0.1:5443/v2/ failed with status: 401 Unauthorized", RegistryProblem.Unauthorized)]
    [TestCase("denied: requested access to the resource is denied", RegistryProblem.Unauthorized)]
    [TestCase("Get \"https://10.0.0.1:5443/v2/\": x509: certificate signed by unknown authority", RegistryProblem.Certificate)]
    [TestCase("manifest for 10.0.0.1:5443/shop:abc1234 not found: manifest unknown: manifest unknown", RegistryProblem.NotFound)]
    [TestCase("Get \"https://10.0.0.1:5443/v2/\": dial tcp 10.0.0.1:5443: connect: connection refused", RegistryProblem.Unreachable)]
    [TestCase("Get \"https://registry.invalid/v2/\": dial tcp: lookup registry.invalid: no such host", RegistryProblem.Unreachable)]
    [TestCase("write /var/lib/docker/tmp/x: no space left on device", RegistryProblem.Other)]
    public void Docker_error_text_is_classified(string message, RegistryProblem expected)
    {
        Assert.That(RegistryErrors.Classify(message), Is.EqualTo(expected));
    }
}

public class RegistryImageTests
{
    [TestCase("registry.example.com:5000", "shop:abc1234", "registry.example.com:5000/shop:abc1234")]
    [TestCase("ghcr.io", "ghcr.io/me/shop:abc1234", "ghcr.io/me/shop:abc1234")]
    [TestCase("ghcr.io", "me/shop:abc1234", "ghcr.io/me/shop:abc1234")]
    [TestCase("10.0.0.1:5443", "10.0.0.1:5443/shop:abc1234", "10.0.0.1:5443/shop:abc1234")]
    public void The_registry_prefixes_the_image_once(string server, string image, string expected)
    {
        Assert.That(RegistryImage.Reference(server, image), Is.EqualTo(expected));
    }

    [TestCase("docker.io", "https://index.docker.io/v1/")]
    [TestCase("ghcr.io", "ghcr.io")]
    [TestCase("10.0.0.1:5443", "10.0.0.1:5443")]
    public void Docker_Hub_logs_in_at_its_index(string server, string expected)
    {
        Assert.That(RegistryImage.LoginAddress(server), Is.EqualTo(expected));
    }

    [Test]
    public void Credentials_never_print_their_password()
    {
        var credentials = new RegistryCredentials("ghcr.io", "me", "pa55word");
        var auth = new RegistryAuth("ghcr.io", "me", "pa55word");

        Assert.That(credentials.ToString(), Is.EqualTo("me@ghcr.io"));
        Assert.That(auth.ToString(), Is.EqualTo("me@ghcr.io"));
    }
}

public class PullTallyTests
{
    private static PullMessage M(string? id, string status, long current = 0, long total = 0) => new(id, status, current, total);

    [Test]
    public void A_pull_with_one_layer_present_counts_only_the_other_as_downloaded()
    {
        var tally = new PullTally();
        foreach (var message in new[]
                 {
                     M("abc1234", "Pulling from shop"),
                     M("base000", "Already exists"),
                     M("app0001", "Pulling fs layer"),
                     M("app0001", "Downloading", 1000, 4000),
                     M("app0001", "Downloading", 3000, 4000),
                 })
            tally.Observe(message);

        var midway = tally.Snapshot();
        Assert.That((midway.Layers, midway.LayersPresent, midway.LayersDone, midway.BytesDownloaded, midway.BytesToDownload), Is.EqualTo((2, 1, 0, 3000L, 4000L)));

        tally.Observe(M("app0001", "Download complete"));
        tally.Observe(M("app0001", "Extracting", 500, 4000));
        tally.Observe(M("app0001", "Pull complete"));
        tally.Observe(M(null, "Digest: sha256:0123"));
        tally.Observe(M(null, "Status: Downloaded newer image for 10.0.0.1:5443/shop:abc1234"));

        var done = tally.Snapshot();
        Assert.That((done.Layers, done.LayersPresent, done.LayersDone, done.BytesDownloaded), Is.EqualTo((2, 1, 1, 4000L)),
            "extracting progress is not download progress; the image's own messages are not layers");
    }
}

public class PushTallyTests
{
    [Test]
    public void Pushed_and_present_layers_are_told_apart_and_the_digest_line_is_not_a_layer()
    {
        var tally = new PushTally();
        tally.Observe("base000", "Preparing", 0);
        tally.Observe("app0001", "Preparing", 0);
        tally.Observe("base000", "Layer already exists", 0);
        tally.Observe("app0001", "Pushing", 2048);
        tally.Observe("app0001", "Pushing", 1024);
        tally.Observe("app0001", "Pushed", 0);
        tally.Observe("abc1234", "abc1234: digest: sha256:0123 size: 739", 0);

        Assert.That(tally.Result(), Is.EqualTo(new PushResult(2, 1, 1, 2048)));
    }
}

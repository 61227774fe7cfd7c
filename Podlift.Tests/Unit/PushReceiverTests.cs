using System.Text;
using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class PushReceiverTests
{
    private BlobStore _store = null!;
    private List<string> _asked = null!;
    private PushReceiver _receiver = null!;

    [SetUp]
    public void SetUp()
    {
        _store = new BlobStore();
        _asked = [];
        _receiver = new PushReceiver(PushSample.Repository, PushSample.ConfigDigest, _store, (digest, _) =>
        {
            lock (_asked) _asked.Add(digest);
            return Task.FromResult(digest != PushSample.BlobDigests[2]); // as if the servers lacked only the top layer
        });
    }

    [TearDown]
    public void TearDown() => _store.Dispose();

    private Task<RegistryResponse> SendAsync(string method, string path, byte[]? body = null, string? digest = null) =>
        _receiver.HandleAsync(new RegistryRequest(method, path, digest, new MemoryStream(body ?? [])), CancellationToken.None);

    private static string Blob(string digest) => $"/v2/{PushSample.Repository}/blobs/{digest}";

    /// <summary>POST, then the data in two PATCHes and the last bytes with the PUT, as a chunked push may send them.</summary>
    private async Task<RegistryResponse> UploadAsync(byte[] data, string digest)
    {
        var started = await SendAsync("POST", $"/v2/{PushSample.Repository}/blobs/uploads/");
        Assert.That(started.Status, Is.EqualTo(202));
        var location = started.Headers["Location"];
        var half = data.Length / 2;
        Assert.That((await SendAsync("PATCH", location, data[..half])).Status, Is.EqualTo(202));
        var patched = await SendAsync("PATCH", location, data[half..^1]);
        Assert.That(patched.Headers["Range"], Is.EqualTo($"0-{data.Length - 2}"));
        return await SendAsync("PUT", location, data[^1..], digest);
    }

    [Test]
    public async Task The_version_check_says_registry_2()
    {
        var answer = await SendAsync("GET", "/v2/");

        Assert.That(answer.Status, Is.EqualTo(200));
        Assert.That(answer.Headers["Docker-Distribution-API-Version"], Is.EqualTo("registry/2.0"));
    }

    [Test]
    public async Task A_layer_asked_about_gets_the_answer_of_the_policy()
    {
        var there = await SendAsync("HEAD", Blob(PushSample.BlobDigests[0]));
        var missing = await SendAsync("HEAD", Blob(PushSample.BlobDigests[2]));

        Assert.That(there.Status, Is.EqualTo(200));
        Assert.That(there.Headers["Docker-Content-Digest"], Is.EqualTo(PushSample.BlobDigests[0]));
        Assert.That(missing.Status, Is.EqualTo(404));
        Assert.That(_asked, Is.EqualTo(new[] { PushSample.BlobDigests[0], PushSample.BlobDigests[2] }));
    }

    [Test]
    public async Task The_config_is_never_there_so_Docker_always_uploads_it()
    {
        Assert.That((await SendAsync("HEAD", Blob(PushSample.ConfigDigest))).Status, Is.EqualTo(404));
        Assert.That(_asked, Is.Empty);
    }

    [Test]
    public async Task An_uploaded_blob_is_kept_and_then_there_with_its_size()
    {
        var created = await UploadAsync(PushSample.Blobs[2], PushSample.BlobDigests[2]);

        Assert.That(created.Status, Is.EqualTo(201));
        Assert.That(created.Headers["Docker-Content-Digest"], Is.EqualTo(PushSample.BlobDigests[2]));
        Assert.That(_store.Find(PushSample.BlobDigests[2])?.Size, Is.EqualTo(PushSample.Blobs[2].Length));
        var after = await SendAsync("HEAD", Blob(PushSample.BlobDigests[2]));
        Assert.That((after.Status, after.ContentLength), Is.EqualTo((200, (long?)PushSample.Blobs[2].Length)));
    }

    [Test]
    public async Task An_upload_whose_content_is_not_its_digest_is_refused_and_not_kept()
    {
        var refused = await UploadAsync(PushSample.Blobs[1], PushSample.BlobDigests[2]);

        Assert.That(refused.Status, Is.EqualTo(400));
        Assert.That(Encoding.UTF8.GetString(refused.Body), Does.Contain("DIGEST_INVALID"));
        Assert.That(_store.Count, Is.Zero);
    }

    [Test]
    public async Task The_manifest_is_recorded_and_answered_with_its_digest()
    {
        var put = await SendAsync("PUT", $"/v2/{PushSample.Repository}/manifests/ab12cd3", PushSample.Manifest());

        Assert.That(put.Status, Is.EqualTo(201));
        Assert.That(put.Headers["Docker-Content-Digest"], Is.EqualTo(PushSample.Digest(PushSample.Manifest())));
        Assert.That(_receiver.Manifest?.LayerDigests, Is.EqualTo(PushSample.BlobDigests));
    }

    [Test]
    public async Task A_manifest_that_is_not_one_image_is_refused()
    {
        var put = await SendAsync("PUT", $"/v2/{PushSample.Repository}/manifests/ab12cd3", """{"schemaVersion":2,"manifests":[]}"""u8.ToArray());

        Assert.That(put.Status, Is.EqualTo(400));
        Assert.That(_receiver.Manifest, Is.Null);
    }

    [TestCase("HEAD", "/v2/someone/else/blobs/sha256:" + "0000000000000000000000000000000000000000000000000000000000000000", 404, TestName = "another repository")]
    [TestCase("GET", "/v2/podlift/app/blobs/sha256:" + "0000000000000000000000000000000000000000000000000000000000000000", 404, TestName = "reading a blob back")]
    [TestCase("GET", "/v2/podlift/app/manifests/latest", 404, TestName = "reading a manifest back")]
    [TestCase("DELETE", "/v2/podlift/app/manifests/latest", 405, TestName = "deleting a manifest")]
    [TestCase("GET", "/v2/_catalog", 404, TestName = "the catalog")]
    [TestCase("PATCH", "/v2/podlift/app/blobs/uploads/0123456789abcdef0123456789abcdef", 404, TestName = "an upload that was never started")]
    public async Task Nothing_but_a_push_of_this_repository_is_served(string method, string path, int status)
    {
        Assert.That((await SendAsync(method, path)).Status, Is.EqualTo(status));
    }
}

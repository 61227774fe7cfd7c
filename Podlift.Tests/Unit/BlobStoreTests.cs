using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class BlobStoreTests
{
    private static async Task<Blob?> UploadAsync(BlobStore store, string digest, params byte[][] parts)
    {
        using var upload = store.Begin();
        foreach (var part in parts) await upload.AppendAsync(new MemoryStream(part), CancellationToken.None);
        return await upload.CommitAsync(digest, CancellationToken.None);
    }

    private static async Task<byte[]> ReadAsync(Blob blob)
    {
        await using var stream = blob.Open();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Test]
    public async Task A_blob_uploaded_in_parts_is_kept_under_its_digest()
    {
        using var store = new BlobStore();
        var data = PushSample.Blobs[0];

        var blob = await UploadAsync(store, PushSample.BlobDigests[0], data[..10], data[10..]);

        Assert.That(blob, Is.Not.Null);
        Assert.That(store.Find(PushSample.BlobDigests[0])?.Size, Is.EqualTo(data.Length));
        Assert.That(await ReadAsync(blob!), Is.EqualTo(data));
    }

    [Test]
    public async Task A_blob_whose_content_does_not_match_its_digest_is_dropped()
    {
        using var store = new BlobStore();

        Assert.That(await UploadAsync(store, PushSample.BlobDigests[1], PushSample.Blobs[0]), Is.Null);
        Assert.That(store.Find(PushSample.BlobDigests[1]), Is.Null);
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task A_blob_larger_than_the_memory_limit_goes_to_a_private_file_removed_with_the_store()
    {
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        var digest = PushSample.Digest(data);
        string directory;
        using (var store = new BlobStore(inMemoryLimit: 100_000))
        {
            var blob = await UploadAsync(store, digest, data[..50_000], data[50_000..]);
            Assert.That(await ReadAsync(blob!), Is.EqualTo(data));
            var files = Directory.GetFiles(Path.GetTempPath(), "*", SearchOption.AllDirectories)
                .Where(f => f.Contains("podlift-push-") && new FileInfo(f).Length == data.Length).ToList();
            Assert.That(files, Is.Not.Empty, "spilled to a file");
            directory = Path.GetDirectoryName(files[^1])!;
            Assert.That(File.GetUnixFileMode(directory) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead), Is.EqualTo((UnixFileMode)0), "only this user reads it");
        }
        Assert.That(Directory.Exists(directory), Is.False);
    }
}

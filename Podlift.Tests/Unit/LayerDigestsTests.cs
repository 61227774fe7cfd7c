using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class LayerDigestsTests
{
    private static PushedImage Pushed(params int[] uploaded)
    {
        using var store = PushSample.StoreAsync(uploaded).GetAwaiter().GetResult();
        return PushSample.PushedAsync(store).GetAwaiter().GetResult();
    }

    [Test]
    public void A_push_teaches_which_blob_is_which_layer_and_the_size_of_those_uploaded()
    {
        var known = LayerDigests.Empty();

        known.Learn(Pushed(2), DateTimeOffset.UnixEpoch);

        Assert.That(known.Find(PushSample.BlobDigests[0]), Is.EqualTo(new KnownBlob(PushSample.DiffIds[0], null, 0)));
        Assert.That(known.Find(PushSample.BlobDigests[2]), Is.EqualTo(new KnownBlob(PushSample.DiffIds[2], PushSample.Blobs[2].Length, 0)));
    }

    [Test]
    public void A_size_once_known_stays_when_a_later_push_only_asks_about_the_layer()
    {
        var known = LayerDigests.Empty();
        known.Learn(Pushed(2), DateTimeOffset.UnixEpoch);

        known.Learn(Pushed(), DateTimeOffset.UnixEpoch.AddDays(1));

        Assert.That(known.Find(PushSample.BlobDigests[2])?.Size, Is.EqualTo(PushSample.Blobs[2].Length));
    }

    [Test]
    public void What_is_written_reads_back_and_a_damaged_file_reads_as_nothing_known()
    {
        var known = LayerDigests.Empty();
        known.Learn(Pushed(2), DateTimeOffset.UnixEpoch);

        Assert.That(LayerDigests.Parse(known.ToJson()).Find(PushSample.BlobDigests[2]), Is.EqualTo(known.Find(PushSample.BlobDigests[2])));
        Assert.That(LayerDigests.Parse("{not json").Count, Is.Zero);
        Assert.That(LayerDigests.Parse("""{"sha256:x":{"diff_id":"sha256:y","size":1,"seen":0}}""").Count, Is.Zero, "entries that are not digests are dropped");
    }

    [Test]
    public void The_file_is_private_and_survives_a_reload()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "cache", "layer-digests.json");
        var known = LayerDigests.Empty();
        known.Learn(Pushed(2), DateTimeOffset.UnixEpoch);

        known.Save(path);

        Assert.That(LayerDigests.Load(path).Count, Is.EqualTo(3));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(LayerDigests.Load(Path.Combine(directory.Path, "none.json")).Count, Is.Zero);
    }

    [Test]
    public void The_oldest_are_forgotten_beyond_the_bound()
    {
        var known = LayerDigests.Empty();
        var json = "{" + string.Join(",", Enumerable.Range(0, LayerDigests.MaxEntries).Select(i =>
            $"\"sha256:{i:x64}\":{{\"diff_id\":\"sha256:{i:x64}\",\"size\":1,\"seen\":{i + 10}}}")) + "}";
        known = LayerDigests.Parse(json);

        known.Learn(Pushed(2), DateTimeOffset.FromUnixTimeSeconds(100_000));

        Assert.That(known.Count, Is.EqualTo(LayerDigests.MaxEntries));
        Assert.That(known.Find($"sha256:{0:x64}"), Is.Null, "the oldest went");
        Assert.That(known.Find(PushSample.BlobDigests[2]), Is.Not.Null);
    }
}

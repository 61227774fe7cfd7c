using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class BlobAnswerTests
{
    private const long ImageSize = 100_000;

    /// <summary>What a push taught whose bottom two layers Docker only asked about and whose top one it uploaded.</summary>
    private static LayerDigests Known()
    {
        using var store = PushSample.StoreAsync(2).GetAwaiter().GetResult();
        var known = LayerDigests.Empty();
        known.Learn(PushSample.PushedAsync(store).GetAwaiter().GetResult(), DateTimeOffset.UnixEpoch);
        return known;
    }

    private static Func<string, bool> Lacks(params int[] layers) => diffId => layers.Any(i => PushSample.DiffIds[i] == diffId);

    [Test]
    public void A_digest_never_seen_here_is_there_on_a_first_push_and_not_on_a_second()
    {
        var unknown = PushSample.Digest("other"u8.ToArray());

        Assert.That(BlobAnswer.IsThere(unknown, LayerDigests.Empty(), Lacks(0, 1, 2), ImageSize), Is.True);
        Assert.That(BlobAnswer.IsThere(unknown, LayerDigests.Empty(), Lacks(0, 1, 2), ImageSize, unknownIsThere: false), Is.False);
    }

    [Test]
    public void A_known_layer_every_server_has_is_there()
    {
        Assert.That(BlobAnswer.IsThere(PushSample.BlobDigests[0], Known(), Lacks(2), ImageSize), Is.True);
    }

    [Test]
    public void A_known_layer_a_server_lacks_is_uploaded_while_small_against_the_image()
    {
        var known = Known();

        Assert.That(BlobAnswer.IsThere(PushSample.BlobDigests[2], known, Lacks(2), ImageSize), Is.False, "a few bytes of a 100 KB image");
        Assert.That(BlobAnswer.IsThere(PushSample.BlobDigests[2], known, Lacks(2), imageSize: PushSample.Blobs[2].Length * 2), Is.True,
            "half the image: a save stream is cheaper");
    }

    [Test]
    public void A_known_layer_of_unknown_size_a_server_lacks_is_uploaded()
    {
        Assert.That(BlobAnswer.IsThere(PushSample.BlobDigests[1], Known(), Lacks(1, 2), ImageSize), Is.False);
    }

    [Test]
    public void A_second_push_is_made_when_a_layer_a_server_lacks_was_only_asked_about_and_is_now_known()
    {
        using var store = PushSample.StoreAsync(2).GetAwaiter().GetResult();
        var pushed = PushSample.PushedAsync(store).GetAwaiter().GetResult();
        var known = LayerDigests.Empty();
        known.Learn(pushed, DateTimeOffset.UnixEpoch);

        Assert.That(BlobAnswer.PushAgain(pushed, known, Lacks(2), ImageSize), Is.False, "the push brought what the server lacks");
        Assert.That(BlobAnswer.PushAgain(pushed, known, Lacks(1, 2), ImageSize), Is.True, "layer 1 was only asked about");
    }

    [Test]
    public void No_second_push_for_a_layer_known_to_be_big_against_the_image()
    {
        var known = LayerDigests.Empty();
        using (var earlier = PushSample.StoreAsync(1, 2).GetAwaiter().GetResult())
            known.Learn(PushSample.PushedAsync(earlier).GetAwaiter().GetResult(), DateTimeOffset.UnixEpoch);
        using var store = PushSample.StoreAsync(2).GetAwaiter().GetResult();
        var pushed = PushSample.PushedAsync(store).GetAwaiter().GetResult();

        Assert.That(BlobAnswer.PushAgain(pushed, known, Lacks(1, 2), ImageSize), Is.True);
        Assert.That(BlobAnswer.PushAgain(pushed, known, Lacks(1, 2), imageSize: PushSample.Blobs[1].Length * 2), Is.False, "a save stream is cheaper for it");
    }
}

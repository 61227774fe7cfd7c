using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class PushedImageTests
{
    [Test]
    public async Task Each_layer_gets_its_blob_by_position_and_only_uploaded_ones_have_content()
    {
        using var store = await PushSample.StoreAsync(2);

        var image = await PushSample.PushedAsync(store);

        Assert.That(image.Layers.Select(l => (l.DiffId, l.Digest)), Is.EqualTo(PushSample.DiffIds.Zip(PushSample.BlobDigests)));
        Assert.That(image.Layers.Select(l => l.Blob is not null), Is.EqualTo(new[] { false, false, true }));
        Assert.That(image.Config, Is.EqualTo(PushSample.Config));
    }

    [Test]
    public async Task A_push_of_another_config_than_the_image_s_is_refused()
    {
        using var store = await PushSample.StoreAsync(2);
        var other = PushSample.Digest("x"u8.ToArray());

        Assert.ThrowsAsync<InvalidDataException>(() =>
            PushedImage.AssembleAsync(RegistryManifest.Parse(PushSample.Manifest(other)), store, other, PushSample.DiffIds, CancellationToken.None));
        Assert.ThrowsAsync<InvalidDataException>(() =>
            PushedImage.AssembleAsync(RegistryManifest.Parse(PushSample.Manifest()), store, other, PushSample.DiffIds, CancellationToken.None),
            "the containerd image store: the image id is not the config's digest");
    }

    [Test]
    public async Task A_push_whose_layers_are_not_the_local_image_s_is_refused()
    {
        using var store = await PushSample.StoreAsync(2);

        Assert.ThrowsAsync<InvalidDataException>(() => PushedImage.AssembleAsync(
            RegistryManifest.Parse(PushSample.Manifest()), store, PushSample.ConfigDigest, PushSample.DiffIds[..2], CancellationToken.None));
    }

    [Test]
    public void A_push_that_did_not_upload_the_config_is_refused()
    {
        using var store = new BlobStore();

        Assert.ThrowsAsync<InvalidDataException>(() => PushSample.PushedAsync(store));
    }
}

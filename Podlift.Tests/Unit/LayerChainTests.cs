using NUnit.Framework;
using Podlift.Agent.Images;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class LayerChainTests
{
    [Test]
    public void Chain_ids_are_those_of_dockers_layer_store()
    {
        // the expected values are the layer store's names for this image's layers (Docker 20.10)
        Assert.That(LayerChain.ChainIds(ClassicSaveSample.DiffIds), Is.EqualTo(ClassicSaveSample.ChainIds));
    }

    [Test]
    public void The_bottom_layers_chain_id_is_its_diff_id()
    {
        Assert.That(LayerChain.ChainIds([ClassicSaveSample.DiffIds[1]]), Is.EqualTo(new[] { ClassicSaveSample.DiffIds[1] }));
    }

    [Test]
    public void The_same_layer_on_another_base_has_another_chain_id()
    {
        var onTop = LayerChain.ChainIds(ClassicSaveSample.DiffIds)[2];
        var onOtherBase = LayerChain.ChainIds([ClassicSaveSample.DiffIds[1], ClassicSaveSample.DiffIds[2]])[1];

        Assert.That(onOtherBase, Is.Not.EqualTo(onTop));
    }

    [Test]
    public void Refuses_what_is_not_a_sha256_digest()
    {
        Assert.Throws<FormatException>(() => LayerChain.ChainIds(["sha256:abc"]));
        Assert.Throws<FormatException>(() => LayerChain.ChainIds(["md5:" + new string('0', 64)]));
    }

    [Test]
    public void A_server_has_every_prefix_of_every_images_chain()
    {
        var present = LayerInventory.Present([ClassicSaveSample.DiffIds[..2], [ClassicSaveSample.DiffIds[2]]]);

        Assert.That(present, Does.Contain(ClassicSaveSample.ChainIds[0]));
        Assert.That(present, Does.Contain(ClassicSaveSample.ChainIds[1]));
        Assert.That(present, Does.Not.Contain(ClassicSaveSample.ChainIds[2]), "the top layer's content is there, but on another base");
        Assert.That(present, Does.Contain(ClassicSaveSample.DiffIds[2]), "as the bottom layer of the second image");
    }
}

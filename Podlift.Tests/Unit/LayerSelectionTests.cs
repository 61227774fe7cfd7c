using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class LayerSelectionTests
{
    private static readonly string[] DiffIds = ClassicSaveSample.DiffIds;
    private static readonly string[] ChainIds = ClassicSaveSample.ChainIds;

    [Test]
    public void Sends_only_the_layers_whose_chain_the_server_lacks()
    {
        var selection = LayerSelection.For(DiffIds, [ChainIds[2]]);

        Assert.That(selection.MustSend(DiffIds[0]), Is.False);
        Assert.That(selection.MustSend(DiffIds[1]), Is.False);
        Assert.That(selection.MustSend(DiffIds[2]), Is.True);
        Assert.That((selection.PresentLayers, selection.MissingLayers, selection.IsFull), Is.EqualTo((2, 1, false)));
    }

    [Test]
    public void A_server_that_lacks_everything_gets_a_full_save()
    {
        var selection = LayerSelection.For(DiffIds, ChainIds);

        Assert.That(DiffIds.All(selection.MustSend));
        Assert.That(selection.IsFull);
    }

    [Test]
    public void All_sends_every_layer()
    {
        var selection = LayerSelection.All(DiffIds);

        Assert.That(DiffIds.All(selection.MustSend));
        Assert.That(selection.ChainIds, Is.EqualTo(ChainIds));
    }

    [Test]
    public void Content_found_twice_in_the_chain_is_sent_when_either_place_is_missing()
    {
        // the same content at the bottom and at the top: one file in the save stream serves both places
        string[] diffIds = [DiffIds[0], DiffIds[1], DiffIds[0]];
        var chainIds = Podlift.Protocol.LayerChain.ChainIds(diffIds);

        var selection = LayerSelection.For(diffIds, [chainIds[2]]);

        Assert.That(selection.MustSend(DiffIds[0]), Is.True);
        Assert.That(selection.MustSend(DiffIds[1]), Is.False);
    }

    [Test]
    public void What_is_not_one_of_the_images_layers_or_is_unidentified_is_always_sent()
    {
        var selection = LayerSelection.For(DiffIds, []);

        Assert.That(selection.MustSend(null), Is.True);
        Assert.That(selection.MustSend("sha256:" + new string('a', 64)), Is.True);
        Assert.That(selection.MustSend(DiffIds[0]), Is.False);
    }

    [Test]
    public void Upper_case_digests_are_the_same_layers()
    {
        var selection = LayerSelection.For(DiffIds.Select(d => d.ToUpperInvariant().Replace("SHA256", "sha256")).ToList(), []);

        Assert.That(selection.MustSend(DiffIds[1]), Is.False);
    }
}

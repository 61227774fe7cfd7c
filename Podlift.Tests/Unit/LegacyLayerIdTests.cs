using System.Text;
using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class LegacyLayerIdTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void Identifies_the_layer_a_classic_save_directory_holds(int layer)
    {
        var (v1Id, json) = ClassicSaveSample.Layers[layer];

        Assert.That(LegacyLayerId.Identify(v1Id, Encoding.UTF8.GetBytes(json), ClassicSaveSample.ChainIds), Is.EqualTo(layer));
    }

    [Test]
    public void A_json_that_does_not_hash_to_its_directory_name_stays_unidentified()
    {
        var (v1Id, json) = ClassicSaveSample.Layers[2];
        var altered = json.Replace("\"sleep\"", "\"sleeps\"");

        Assert.That(LegacyLayerId.Identify(v1Id, Encoding.UTF8.GetBytes(altered), ClassicSaveSample.ChainIds), Is.Null);
    }

    [Test]
    public void A_directory_of_another_image_stays_unidentified()
    {
        var (v1Id, json) = ClassicSaveSample.Layers[1];

        Assert.That(LegacyLayerId.Identify(v1Id, Encoding.UTF8.GetBytes(json), [ClassicSaveSample.ChainIds[0], ClassicSaveSample.ChainIds[2]]), Is.Null);
    }

    [Test]
    public void Malformed_json_stays_unidentified()
    {
        Assert.That(LegacyLayerId.Identify(ClassicSaveSample.Layers[0].V1Id, "{\"id\":"u8, ClassicSaveSample.ChainIds), Is.Null);
        Assert.That(LegacyLayerId.Identify(ClassicSaveSample.Layers[0].V1Id, "[1]"u8, ClassicSaveSample.ChainIds), Is.Null);
    }
}

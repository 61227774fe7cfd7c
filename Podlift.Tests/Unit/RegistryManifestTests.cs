using System.Text;
using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class RegistryManifestTests
{
    [Test]
    public void Docker_s_schema_2_manifest_gives_the_config_and_the_layer_blobs_bottom_first()
    {
        var manifest = RegistryManifest.Parse(PushSample.Manifest());

        Assert.That(manifest.ConfigDigest, Is.EqualTo(PushSample.ConfigDigest));
        Assert.That(manifest.LayerDigests, Is.EqualTo(PushSample.BlobDigests));
    }

    [Test]
    public void An_OCI_manifest_may_leave_its_media_type_out()
    {
        var json = $$"""{"schemaVersion":2,"config":{"digest":"{{PushSample.ConfigDigest}}"},"layers":[{"digest":"{{PushSample.BlobDigests[0]}}"}]}""";

        Assert.That(RegistryManifest.Parse(Encoding.UTF8.GetBytes(json)).LayerDigests, Is.EqualTo(new[] { PushSample.BlobDigests[0] }));
    }

    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""", TestName = "an OCI index")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}""", TestName = "a manifest list")]
    [TestCase("""{"schemaVersion":1,"name":"app","fsLayers":[]}""", TestName = "a schema 1 manifest")]
    [TestCase("""{"schemaVersion":2,"config":{"digest":"sha256:abc"},"layers":[]}""", TestName = "a digest that is not sha256 hex")]
    [TestCase("""{"schemaVersion":2,"layers":[]}""", TestName = "no config")]
    [TestCase("""not json""", TestName = "not JSON")]
    public void What_is_not_one_image_s_manifest_is_refused(string json)
    {
        Assert.Throws<InvalidDataException>(() => RegistryManifest.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Test]
    public void The_config_names_the_layers_by_diff_id()
    {
        Assert.That(RegistryManifest.DiffIds(PushSample.Config), Is.EqualTo(PushSample.DiffIds));
        Assert.Throws<InvalidDataException>(() => RegistryManifest.DiffIds("""{"rootfs":{"diff_ids":["md5:x"]}}"""u8));
        Assert.Throws<InvalidDataException>(() => RegistryManifest.DiffIds("""{"config":{}}"""u8));
    }
}

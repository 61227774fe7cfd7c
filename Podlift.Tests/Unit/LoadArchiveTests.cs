using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class LoadArchiveTests
{
    private static async Task<(FilterResult Result, Dictionary<string, byte[]> Files)> WriteAsync(PushedImage image, LayerSelection selection)
    {
        using var archive = new MemoryStream();
        var result = await LoadArchive.WriteAsync(image, "app:ab12cd3", selection, archive, CancellationToken.None);
        archive.Position = 0;
        var files = new Dictionary<string, byte[]>();
        await using var reader = new TarReader(archive);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            using var copy = new MemoryStream();
            if (entry.DataStream is { } data) await data.CopyToAsync(copy);
            files[entry.Name] = copy.ToArray();
        }
        return (result, files);
    }

    [Test]
    public async Task The_archive_holds_the_config_the_manifest_and_only_the_blobs_of_the_layers_the_server_lacks()
    {
        using var store = await PushSample.StoreAsync(1, 2);
        var image = await PushSample.PushedAsync(store);

        var (result, files) = await WriteAsync(image, PushSample.ServerWith(present: 1));

        var blob = (int i) => "blobs/sha256/" + PushSample.BlobDigests[i][7..];
        Assert.That(files.Keys, Is.EquivalentTo(new[] { blob(1), blob(2), PushSample.ConfigDigest[7..] + ".json", "manifest.json" }));
        Assert.That(files[blob(2)], Is.EqualTo(PushSample.Blobs[2]), "as Docker compressed it");
        Assert.That(new GZipStream(new MemoryStream(files[blob(1)]), CompressionMode.Decompress).ReadByte(), Is.EqualTo(2));
        Assert.That(files[PushSample.ConfigDigest[7..] + ".json"], Is.EqualTo(PushSample.Config), "byte for byte: the image id stays");
        Assert.That(result, Is.EqualTo(new FilterResult(1, 0, 2, PushSample.Blobs[1].Length + PushSample.Blobs[2].Length, 0)));
    }

    [Test]
    public async Task Its_manifest_names_the_tag_the_config_and_every_layer_including_those_left_out()
    {
        using var store = await PushSample.StoreAsync(2);
        var image = await PushSample.PushedAsync(store);

        var (_, files) = await WriteAsync(image, PushSample.ServerWith(present: 2));

        var manifest = JsonDocument.Parse(files["manifest.json"]).RootElement.EnumerateArray().Single();
        Assert.That(manifest.GetProperty("Config").GetString(), Is.EqualTo(PushSample.ConfigDigest[7..] + ".json"));
        Assert.That(manifest.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "app:ab12cd3" }));
        Assert.That(manifest.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()),
            Is.EqualTo(PushSample.BlobDigests.Select(d => "blobs/sha256/" + d[7..])));
    }

    [Test]
    public async Task A_server_that_has_every_layer_gets_the_config_and_the_tag_only()
    {
        using var store = await PushSample.StoreAsync();
        var (result, files) = await WriteAsync(await PushSample.PushedAsync(store), PushSample.ServerWith(present: 3));

        Assert.That(files.Keys, Has.Count.EqualTo(2));
        Assert.That(result.LayersOmitted, Is.EqualTo(3));
    }

    [Test]
    public async Task A_layer_the_server_lacks_that_Docker_did_not_upload_cannot_be_sent_this_way()
    {
        using var store = await PushSample.StoreAsync(2);
        var image = await PushSample.PushedAsync(store);

        Assert.That(image.NotUploaded(PushSample.ServerWith(present: 1)), Is.EqualTo(new[] { PushSample.DiffIds[1] }));
        Assert.ThrowsAsync<InvalidOperationException>(() => WriteAsync(image, PushSample.ServerWith(present: 1)));
    }
}

using System.Formats.Tar;
using System.Text;
using NUnit.Framework;
using Podlift.Cli.Delivery;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class SaveStreamFilterTests
{
    private static readonly string[] DiffIds = ClassicSaveSample.DiffIds;
    private static readonly string[] ChainIds = ClassicSaveSample.ChainIds;

    /// <summary>A classic `docker save` stream with the sample's real layer directories; layer i holds (i + 1) * 10 KB of byte i.</summary>
    private static MemoryStream ClassicSave(Func<int, string>? json = null, bool topIsSymlinkToBottom = false)
    {
        var entries = new List<TarEntry>();
        for (var i = 0; i < 3; i++)
        {
            var (v1Id, layerJson) = ClassicSaveSample.Layers[i];
            entries.Add(new PaxTarEntry(TarEntryType.Directory, $"{v1Id}/"));
            entries.Add(File($"{v1Id}/VERSION", "1.0"u8.ToArray()));
            entries.Add(File($"{v1Id}/json", Encoding.UTF8.GetBytes(json?.Invoke(i) ?? layerJson)));
            if (i == 2 && topIsSymlinkToBottom)
                entries.Add(new PaxTarEntry(TarEntryType.SymbolicLink, $"{v1Id}/layer.tar") { LinkName = $"../{ClassicSaveSample.Layers[0].V1Id}/layer.tar" });
            else
                entries.Add(File($"{v1Id}/layer.tar", Enumerable.Repeat((byte)i, (i + 1) * 10_240).ToArray()));
        }
        entries.Add(File(ClassicSaveSample.ConfigName, "{\"rootfs\":{}}"u8.ToArray()));
        entries.Add(File("manifest.json", "[{}]"u8.ToArray()));
        entries.Add(File("repositories", "{}"u8.ToArray()));
        return Tar(entries.OrderBy(e => e.Name, StringComparer.Ordinal));
    }

    /// <summary>The OCI layout of Docker 25+: layers are uncompressed blobs named by their diff id.</summary>
    private static MemoryStream OciSave()
    {
        var entries = new List<TarEntry> { new PaxTarEntry(TarEntryType.Directory, "blobs/"), new PaxTarEntry(TarEntryType.Directory, "blobs/sha256/") };
        for (var i = 0; i < 3; i++)
            entries.Add(File($"blobs/sha256/{DiffIds[i][7..]}", Enumerable.Repeat((byte)i, (i + 1) * 10_240).ToArray()));
        entries.Add(File($"blobs/sha256/{new string('c', 64)}", "{\"config\":true}"u8.ToArray()));
        entries.Add(File("index.json", "{}"u8.ToArray()));
        entries.Add(File("manifest.json", "[{}]"u8.ToArray()));
        entries.Add(File("oci-layout", "{}"u8.ToArray()));
        return Tar(entries.OrderBy(e => e.Name, StringComparer.Ordinal));
    }

    private static PaxTarEntry File(string name, byte[] content) => new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };

    private static MemoryStream Tar(IEnumerable<TarEntry> entries)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, leaveOpen: true))
            foreach (var entry in entries) writer.WriteEntry(entry);
        stream.Position = 0;
        return stream;
    }

    private static async Task<(FilterResult Result, Dictionary<string, byte[]> Entries)> FilterAsync(Stream save, LayerSelection selection)
    {
        var output = new MemoryStream();
        var result = await new SaveStreamFilter(selection).CopyAsync(save, output, CancellationToken.None);
        output.Position = 0;
        var entries = new Dictionary<string, byte[]>();
        using var reader = new TarReader(output);
        while (reader.GetNextEntry() is { } entry)
        {
            var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            entries[entry.Name] = content.ToArray();
        }
        return (result, entries);
    }

    private static string LayerTar(int layer) => $"{ClassicSaveSample.Layers[layer].V1Id}/layer.tar";

    [Test]
    public async Task Classic_save_keeps_everything_but_the_layers_the_server_has()
    {
        var (result, entries) = await FilterAsync(ClassicSave(), LayerSelection.For(DiffIds, [ChainIds[2]]));

        Assert.That(entries.Keys, Does.Not.Contain(LayerTar(0)).And.Not.Contain(LayerTar(1)));
        Assert.That(entries[LayerTar(2)], Is.EqualTo(Enumerable.Repeat((byte)2, 30_720).ToArray()));
        Assert.That(entries.Keys, Is.SupersetOf(new[] { "manifest.json", "repositories", ClassicSaveSample.ConfigName, $"{ClassicSaveSample.Layers[0].V1Id}/json" }));
        Assert.That(entries[$"{ClassicSaveSample.Layers[1].V1Id}/json"], Is.EqualTo(Encoding.UTF8.GetBytes(ClassicSaveSample.Layers[1].Json)), "json files pass through unchanged");
        Assert.That(result, Is.EqualTo(new FilterResult(LayersOmitted: 2, BytesOmitted: 30_720, LayersSent: 1, LayerBytesSent: 30_720, LayersUnidentified: 0)));
    }

    [Test]
    public async Task A_full_selection_passes_every_entry_through()
    {
        var input = ClassicSave();
        var (result, entries) = await FilterAsync(input, LayerSelection.All(DiffIds));

        Assert.That(entries, Has.Count.EqualTo(3 * 4 + 3));
        Assert.That((result.LayersSent, result.LayersOmitted), Is.EqualTo((3, 0)));
    }

    [Test]
    public async Task A_layer_that_cannot_be_identified_is_sent()
    {
        var save = ClassicSave(json: i => i == 0 ? ClassicSaveSample.Layers[0].Json.Replace("1970-01-01", "1971-01-01") : ClassicSaveSample.Layers[i].Json);

        var (result, entries) = await FilterAsync(save, LayerSelection.For(DiffIds, [ChainIds[2]]));

        Assert.That(entries.Keys, Does.Contain(LayerTar(0)), "unproven: sent");
        Assert.That(entries.Keys, Does.Not.Contain(LayerTar(1)));
        Assert.That((result.LayersUnidentified, result.LayersSent, result.LayersOmitted), Is.EqualTo((1, 2, 1)));
    }

    [Test]
    public async Task A_symlinked_duplicate_layer_is_kept_as_a_link()
    {
        var (_, entries) = await FilterAsync(ClassicSave(topIsSymlinkToBottom: true), LayerSelection.For(DiffIds, [ChainIds[2]]));

        Assert.That(entries.Keys, Does.Contain(LayerTar(2)));
    }

    [Test]
    public async Task Oci_layout_omits_the_layer_blobs_the_server_has_and_keeps_the_others()
    {
        var (result, entries) = await FilterAsync(OciSave(), LayerSelection.For(DiffIds, [ChainIds[1], ChainIds[2]]));

        Assert.That(entries.Keys, Does.Not.Contain($"blobs/sha256/{DiffIds[0][7..]}"));
        Assert.That(entries.Keys, Is.SupersetOf(new[]
        {
            $"blobs/sha256/{DiffIds[1][7..]}", $"blobs/sha256/{DiffIds[2][7..]}", $"blobs/sha256/{new string('c', 64)}",
            "index.json", "manifest.json", "oci-layout",
        }));
        Assert.That((result.LayersOmitted, result.BytesOmitted, result.LayersSent), Is.EqualTo((1, 10_240L, 2)));
    }

    [Test]
    public async Task Reads_an_unseekable_stream()
    {
        var (result, _) = await FilterAsync(new ForwardOnly(ClassicSave()), LayerSelection.For(DiffIds, [ChainIds[2]]));

        Assert.That(result.LayersOmitted, Is.EqualTo(2));
    }

    /// <summary>What a `docker save` over HTTP is: read once, forward only.</summary>
    private sealed class ForwardOnly(Stream inner) : ForwardReadStream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 777));
    }
}

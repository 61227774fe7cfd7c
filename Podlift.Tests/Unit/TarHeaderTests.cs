using System.Formats.Tar;
using System.Text;
using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class TarHeaderTests
{
    private static byte[] FirstBlocks(TarEntryFormat format, string name, int size, out int blocks)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, format, leaveOpen: true))
        {
            TarEntry entry = format switch
            {
                TarEntryFormat.Ustar => new UstarTarEntry(TarEntryType.RegularFile, name),
                TarEntryFormat.Gnu => new GnuTarEntry(TarEntryType.RegularFile, name),
                _ => new PaxTarEntry(TarEntryType.RegularFile, name),
            };
            entry.DataStream = new MemoryStream(new byte[size]);
            writer.WriteEntry(entry);
        }
        blocks = (int)(stream.Length / TarHeader.BlockSize);
        return stream.ToArray();
    }

    [Test]
    public void Reads_name_size_and_type_of_a_ustar_header()
    {
        var tar = FirstBlocks(TarEntryFormat.Ustar, "abc/layer.tar", 1000, out _);

        var header = TarHeader.Parse(tar.AsSpan(0, 512));

        Assert.That(header, Is.EqualTo(new TarHeader("abc/layer.tar", 1000, '0')));
        Assert.That(header.PaddedSize, Is.EqualTo(1024));
        Assert.That(header.IsRegularFile && !header.IsMetadata && !header.IsEndOfArchive);
    }

    [Test]
    public void A_long_name_comes_from_the_pax_or_gnu_header_before_the_entry()
    {
        var name = "blobs/sha256/" + new string('a', 64) + "/" + new string('b', 80);
        foreach (var format in new[] { TarEntryFormat.Pax, TarEntryFormat.Gnu })
        {
            var tar = FirstBlocks(format, name, 10, out _);
            var metadata = TarHeader.Parse(tar.AsSpan(0, 512));

            Assert.That(metadata.IsMetadata, format.ToString());
            Assert.That(TarHeader.NameFromMetadata(metadata.Type, tar.AsSpan(512, (int)metadata.Size)), Is.EqualTo(name), format.ToString());
        }
    }

    [Test]
    public void A_zero_block_ends_the_archive()
    {
        Assert.That(TarHeader.Parse(new byte[512]).IsEndOfArchive);
    }

    [Test]
    public void A_block_with_a_wrong_checksum_is_refused()
    {
        var tar = FirstBlocks(TarEntryFormat.Ustar, "manifest.json", 10, out _);
        tar[0] ^= 1;

        Assert.Throws<InvalidDataException>(() => TarHeader.Parse(tar.AsSpan(0, 512)));
    }

    [Test]
    public void Sizes_of_8_GB_and_more_are_read_in_base_256()
    {
        var block = FirstBlocks(TarEntryFormat.Ustar, "big/layer.tar", 0, out _)[..512];
        var size = 9L << 30;
        block[124] = 0x80;
        for (var i = 0; i < 11; i++) block[135 - i] = (byte)(size >> (8 * i));
        Array.Fill(block, (byte)' ', 148, 8);
        var sum = block.Sum(b => (long)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(block, 148);

        Assert.That(TarHeader.Parse(block).Size, Is.EqualTo(size));
    }
}

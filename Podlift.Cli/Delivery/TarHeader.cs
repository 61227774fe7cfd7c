using System.Text;

namespace Podlift.Cli.Delivery;

/// <summary>
/// One 512-byte tar header block, parsed only as far as a pass-through filter needs: name, size, type.
/// ustar (with its name prefix), GNU long names (type L) and pax extended headers (type x, path=) are understood. Pure.
/// </summary>
public readonly record struct TarHeader(string Name, long Size, char Type)
{
    public const int BlockSize = 512;

    public bool IsEndOfArchive => Type == '\0' && Name.Length == 0 && Size == 0;

    /// <summary>Headers that describe the next entry rather than being one: pax extended (x), pax global (g), GNU long name/link (L, K).</summary>
    public bool IsMetadata => Type is 'x' or 'g' or 'L' or 'K';

    public bool IsRegularFile => Type is '0' or '\0' && Name.Length > 0;

    /// <summary>The size of the data blocks that follow the header (size rounded up to whole blocks).</summary>
    public long PaddedSize => (Size + BlockSize - 1) / BlockSize * BlockSize;

    public static TarHeader Parse(ReadOnlySpan<byte> block)
    {
        if (block.Length != BlockSize) throw new ArgumentException("a tar header is one 512-byte block", nameof(block));
        if (!block.ContainsAnyExcept((byte)0)) return new TarHeader("", 0, '\0');
        if (!ChecksumMatches(block)) throw new InvalidDataException("not a tar header (bad checksum): the save stream is corrupt");

        var name = Text(block[..100]);
        if (block[257..262].SequenceEqual("ustar"u8) && Text(block[345..500]) is { Length: > 0 } prefix)
            name = prefix + "/" + name;
        return new TarHeader(name, Number(block[124..136]), (char)block[156]);
    }

    /// <summary>The entry name a pax extended header (path=...) or a GNU long-name block carries, if any.</summary>
    public static string? NameFromMetadata(char type, ReadOnlySpan<byte> data)
    {
        if (type == 'L') return Text(data);
        if (type != 'x') return null;
        // records: "<length> <key>=<value>\n"
        var offset = 0;
        while (offset < data.Length)
        {
            var space = data[offset..].IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(Encoding.ASCII.GetString(data.Slice(offset, space)), out var length) || length <= 0 || offset + length > data.Length) break;
            var record = Encoding.UTF8.GetString(data.Slice(offset + space + 1, length - space - 2));
            if (record.StartsWith("path=", StringComparison.Ordinal)) return record[5..];
            offset += length;
        }
        return null;
    }

    private static string Text(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    /// <summary>Octal, or base-256 (GNU, for sizes of 8 GB and more) when the high bit is set.</summary>
    private static long Number(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x7f;
            foreach (var b in field[1..]) value = (value << 8) | b;
            return value;
        }
        long octal = 0;
        foreach (var b in field)
        {
            if (b is (byte)' ' or 0) { if (octal > 0) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') throw new InvalidDataException("a tar header has a malformed number");
            octal = octal * 8 + (b - '0');
        }
        return octal;
    }

    private static bool ChecksumMatches(ReadOnlySpan<byte> block)
    {
        long sum = 0;
        for (var i = 0; i < BlockSize; i++) sum += i is >= 148 and < 156 ? ' ' : block[i];
        return Number(block[148..156]) == sum;
    }
}

using System.Text;

namespace Podlift.Agent.Operate;

/// <summary>
/// Cuts a byte stream into UTF-8 text lines, without their "\n" or "\r\n". A line longer than the
/// limit is cut into pieces so one endless line cannot exhaust memory. Pure.
/// </summary>
public sealed class LineSplitter(int maxLineBytes = 16 * 1024)
{
    private readonly MemoryStream _pending = new();

    /// <summary>The lines completed by these bytes; an unfinished line waits for more.</summary>
    public IReadOnlyList<string> Push(ReadOnlySpan<byte> data)
    {
        var lines = new List<string>();
        while (data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            var length = newline >= 0 ? newline : data.Length;
            var room = maxLineBytes - (int)_pending.Length;
            if (length > room)
            {
                _pending.Write(data[..room]);
                lines.Add(TakePending());
                data = data[room..];
                continue;
            }
            _pending.Write(data[..length]);
            if (newline < 0) break;
            lines.Add(TakePending());
            data = data[(newline + 1)..];
        }
        return lines;
    }

    /// <summary>The last line when the stream ended without a line break; null when there is none.</summary>
    public string? Flush() => _pending.Length > 0 ? TakePending() : null;

    private string TakePending()
    {
        var text = Encoding.UTF8.GetString(_pending.GetBuffer(), 0, (int)_pending.Length);
        _pending.SetLength(0);
        return text.EndsWith('\r') ? text[..^1] : text;
    }
}

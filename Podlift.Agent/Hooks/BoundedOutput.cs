namespace Podlift.Agent.Hooks;

/// <summary>
/// The end of a stream of text, kept within bounds however much is written: its last <paramref name="maxChars"/>
/// characters (a ring, so appending allocates nothing), reported as at most <paramref name="maxLines"/> lines;
/// what came before is dropped as it comes. One writer may append while another takes the lines. Pure.
/// </summary>
public sealed class BoundedOutput(int maxLines, int maxChars)
{
    /// <summary>Marks a first line whose beginning was dropped.</summary>
    public const string Cut = "…";

    private readonly Lock _lock = new();
    private char[]? _ring = new char[maxChars];
    private long _written;
    /// <summary>The last character dropped: a newline there means the first line kept is whole.</summary>
    private char _beforeKept = '\n';

    public void Append(ReadOnlySpan<char> text)
    {
        lock (_lock)
        {
            if (_ring is null) return;
            if (text.Length > maxChars)
            {
                _beforeKept = text[text.Length - maxChars - 1];
                _written += text.Length - maxChars;
                text = text[^maxChars..];
            }
            else if (_written + text.Length > maxChars)
            {
                _beforeKept = _ring[(_written + text.Length - maxChars - 1) % maxChars];
            }
            var at = (int)(_written % maxChars);
            var first = Math.Min(text.Length, maxChars - at);
            text[..first].CopyTo(_ring.AsSpan(at));
            text[first..].CopyTo(_ring);
            _written += text.Length;
        }
    }

    /// <summary>The last lines kept, without empty ones; the first starts with <see cref="Cut"/> when its start was dropped.</summary>
    public IReadOnlyList<string> Lines()
    {
        string text;
        bool cut;
        lock (_lock)
        {
            if (_ring is null) return [];
            var kept = (int)Math.Min(_written, maxChars);
            var start = (int)((_written - kept) % maxChars);
            var first = Math.Min(kept, maxChars - start);
            text = string.Concat(_ring.AsSpan(start, first), _ring.AsSpan(0, kept - first));
            cut = _written > maxChars && _beforeKept != '\n';
        }
        var lines = text.Split('\n');
        if (cut) lines[0] = Cut + lines[0];
        return lines.Where(line => line.Length > 0 && line != Cut).TakeLast(maxLines).ToList();
    }

    /// <summary>Lets go of what it holds and ignores what is appended after: nobody will read it.</summary>
    public void Close()
    {
        lock (_lock) _ring = null;
    }
}

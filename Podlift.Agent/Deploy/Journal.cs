using Google.Protobuf;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// A job's journal on disk: one DeployEvent per line, as <see cref="JobEvents"/> appends them. A crash
/// mid-append can leave the last line torn; reading skips what does not parse, so a torn line never blocks
/// an attach or the recovery after a restart.
/// </summary>
public static class Journal
{
    /// <summary>The events of the journal's whole lines; each line skipped is logged.</summary>
    public static IReadOnlyList<DeployEvent> Read(string path, ILogger log)
    {
        var events = new List<DeployEvent>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            try { events.Add(JsonParser.Default.Parse<DeployEvent>(line)); }
            catch (Exception e) when (e is InvalidJsonException or InvalidProtocolBufferException)
            {
                log.LogWarning("Skipped line {Line} of {Journal}: it does not parse (torn by a crash mid-write?)", number, path);
            }
        }
        return events;
    }

    /// <summary>Appends one event on a line of its own (after a torn last line, on the next), flushed to disk.</summary>
    public static void Append(string path, DeployEvent deployEvent)
    {
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        var startsFresh = file.Length == 0 || EndsWithNewline(file);
        file.Seek(0, SeekOrigin.End);
        var line = (startsFresh ? "" : "\n") + JsonFormatter.Default.Format(deployEvent) + "\n";
        file.Write(System.Text.Encoding.UTF8.GetBytes(line));
        file.Flush(flushToDisk: true);
    }

    private static bool EndsWithNewline(FileStream file)
    {
        file.Seek(-1, SeekOrigin.End);
        return file.ReadByte() == '\n';
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Podlift.Agent.State;

/// <summary>
/// Reads and writes /var/lib/podlift/&lt;app&gt;/state.json. Writes are atomic (temp file, fsync, rename),
/// so a crash leaves either the old or the new state, never half of one.
/// </summary>
public sealed class StateStore(string root)
{
    public const string DefaultRoot = "/var/lib/podlift";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Root { get; } = root;

    public string AppDirectory(string app) => Path.Combine(Root, app);

    public string JournalDirectory(string app) => Path.Combine(AppDirectory(app), "journal");

    public string JournalPath(string app, string deployId) => Path.Combine(JournalDirectory(app), deployId + ".jsonl");

    private string StatePath(string app) => Path.Combine(AppDirectory(app), "state.json");

    public IEnumerable<string> Apps() =>
        Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>() : [];

    /// <summary>The app's record; null when there is none or it cannot be read (the caller rebuilds it).</summary>
    public AppRecord? Load(string app)
    {
        try
        {
            using var file = File.OpenRead(StatePath(app));
            return JsonSerializer.Deserialize<AppRecord>(file, Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    public void Save(AppRecord record)
    {
        var directory = AppDirectory(record.App);
        Directory.CreateDirectory(directory);
        var path = StatePath(record.App);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite, // plans hold env values
        };
        using (var file = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(file, record, Json);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}

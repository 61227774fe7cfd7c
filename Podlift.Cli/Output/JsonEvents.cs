using System.Text.Encodings.Web;
using System.Text.Json;

namespace Podlift.Cli.Output;

/// <summary>
/// The one way podlift writes an event as JSON: the lines of --json and the body of a notification. Only what JSON
/// itself requires is escaped: a quote is \", ✓ and → stay UTF-8 (not \u0022, \u2713).
/// </summary>
public static class JsonEvents
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>{"event": kind, ...fields}, on one line.</summary>
    public static string Serialize(string kind, IEnumerable<(string Name, object? Value)> fields)
    {
        var values = new Dictionary<string, object?> { ["event"] = kind };
        foreach (var (name, value) in fields) values[name] = value;
        return JsonSerializer.Serialize(values, Options);
    }
}

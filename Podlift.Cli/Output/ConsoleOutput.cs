using Podlift.Cli.Errors;

namespace Podlift.Cli.Output;

/// <summary>
/// Plain, line-oriented console output (readable in CI logs); details only with --verbose. With
/// --json every line is instead one JSON object on stdout ({"event": "step" | "ok" | "fail" | "verify" | "revert" |
/// "warn" | "line" | "detail" | "error", ...}), for CI to parse.
/// </summary>
public sealed class ConsoleOutput(TextWriter output, TextWriter errors, bool verbose, bool json = false)
{
    private object _gate = new();
    private string _prefix = "";

    public bool Verbose { get; } = verbose;
    public bool Json { get; } = json;

    /// <summary>The same console, each line led by <paramref name="prefix"/> (parallel deploys: one prefix per server).</summary>
    public ConsoleOutput WithPrefix(string prefix) => new(output, errors, Verbose, Json) { _gate = _gate, _prefix = _prefix + prefix };

    public static ConsoleOutput ForConsole(bool verbose, bool json = false)
    {
        Console.OutputEncoding = System.Text.Encoding.UTF8;
        return new ConsoleOutput(Console.Out, Console.Error, verbose, json);
    }

    public void Line(string text = "")
    {
        if (Json)
        {
            if (text.Length > 0) Event("line", ("text", text));
            return;
        }
        lock (_gate) output.WriteLine(_prefix + text);
    }

    /// <summary>One JSON object on a line; the server prefix of a parallel deploy becomes its "server" field.</summary>
    public void Event(string kind, params (string Name, object? Value)[] fields)
    {
        var values = new Dictionary<string, object?> { ["event"] = kind };
        if (_prefix.Length > 0) values["server"] = _prefix.TrimEnd(' ', ':');
        foreach (var (name, value) in fields) values[name] = value;
        lock (_gate) output.WriteLine(System.Text.Json.JsonSerializer.Serialize(values));
    }

    /// <summary>A line of program output that belongs on stderr (a container's stderr, for example), without decoration.</summary>
    public void StandardErrorLine(string text)
    {
        lock (_gate) errors.WriteLine(text);
    }

    public void Step(int index, int total, string title)
    {
        if (Json) Event("step", ("number", index), ("total", total), ("title", title));
        else Line($"[{index}/{total}] {title}...");
    }

    public void Ok(string text) => Mark("ok", "✓", text);
    public void Fail(string text) => Mark("fail", "✗", text);
    public void Warn(string text) => Mark("warn", "⚠", text);

    private void Mark(string kind, string symbol, string text)
    {
        if (Json) Event(kind, ("text", text));
        else Line($"{symbol} {text}");
    }

    public void Detail(string text)
    {
        if (!Verbose) return;
        if (Json) Event("detail", ("text", text));
        else Line($"  {text}");
    }

    /// <summary>With --json: the final object, so a CI job reads the outcome without parsing text.</summary>
    public void Result(ExitCode exitCode)
    {
        if (Json) Event("result", ("exit_code", (int)exitCode), ("success", exitCode == ExitCode.Success));
    }

    public void Error(PodliftException error)
    {
        if (Json)
        {
            Event("error", ("message", error.Message), ("fix", error.Fix), ("exit_code", (int)error.ExitCode));
            return;
        }
        lock (_gate)
        {
            errors.WriteLine($"{_prefix}ERROR: {error.Message}");
            if (error.Fix is not null) errors.WriteLine($"{_prefix}→ {error.Fix}");
        }
    }

    public void Error(string text)
    {
        if (Json) Event("error", ("message", text));
        else lock (_gate) errors.WriteLine($"{_prefix}ERROR: {text}");
    }
}

public static class Format
{
    public static string Duration(TimeSpan span) => span.TotalSeconds < 60 ? $"{span.TotalSeconds:0.0}s" : $"{(int)span.TotalMinutes}m{span.Seconds:00}s";

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KB",
        < 1024L * 1024 * 1024 => $"{bytes / 1024.0 / 1024:0.0} MB",
        _ => $"{bytes / 1024.0 / 1024 / 1024:0.00} GB",
    };

    public static string Ago(TimeSpan span) => span switch
    {
        { TotalSeconds: < 60 } => $"{(int)span.TotalSeconds}s",
        { TotalMinutes: < 60 } => $"{(int)span.TotalMinutes}m",
        { TotalHours: < 48 } => $"{(int)span.TotalHours}h",
        _ => $"{(int)span.TotalDays}d",
    };

    /// <summary>Columns padded to their widest cell.</summary>
    public static IEnumerable<string> Table(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        string Render(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
        yield return Render(header);
        foreach (var row in rows) yield return Render(row);
    }
}

using Podlift.Cli.Errors;

namespace Podlift.Cli.Output;

/// <summary>Plain, line-oriented console output (readable in CI logs); details only with --verbose.</summary>
public sealed class ConsoleOutput(TextWriter output, TextWriter errors, bool verbose)
{
    private object _gate = new();
    private string _prefix = "";

    public bool Verbose { get; } = verbose;

    /// <summary>The same console, each line led by <paramref name="prefix"/> (parallel deploys: one prefix per server).</summary>
    public ConsoleOutput WithPrefix(string prefix) => new(output, errors, Verbose) { _gate = _gate, _prefix = _prefix + prefix };

    public static ConsoleOutput ForConsole(bool verbose)
    {
        Console.OutputEncoding = System.Text.Encoding.UTF8;
        return new ConsoleOutput(Console.Out, Console.Error, verbose);
    }

    public void Line(string text = "")
    {
        lock (_gate) output.WriteLine(_prefix + text);
    }

    /// <summary>A line of program output that belongs on stderr (a container's stderr, for example), without decoration.</summary>
    public void StandardErrorLine(string text)
    {
        lock (_gate) errors.WriteLine(text);
    }

    public void Step(int index, int total, string title) => Line($"[{index}/{total}] {title}...");
    public void Ok(string text) => Line($"✓ {text}");
    public void Fail(string text) => Line($"✗ {text}");
    public void Warn(string text) => Line($"⚠ {text}");

    public void Detail(string text)
    {
        if (Verbose) Line($"  {text}");
    }

    public void Error(PodliftException error)
    {
        lock (_gate)
        {
            errors.WriteLine($"{_prefix}ERROR: {error.Message}");
            if (error.Fix is not null) errors.WriteLine($"{_prefix}→ {error.Fix}");
        }
    }

    public void Error(string text)
    {
        lock (_gate) errors.WriteLine($"{_prefix}ERROR: {text}");
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

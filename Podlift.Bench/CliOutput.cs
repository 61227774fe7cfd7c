using System.Globalization;
using System.Text.RegularExpressions;

namespace Podlift.Bench;

/// <summary>A line of podlift's output and when it arrived, from the start of the process.</summary>
public sealed record TimedLine(TimeSpan At, string Text);

/// <summary>Facts read from podlift's own output (deploy -v, agent install -v). Pure.</summary>
public static partial class CliOutput
{
    /// <summary>"  host: image: 2569 bytes on the wire (zstd), ... 831 ms until loaded".</summary>
    public static (long Bytes, TimeSpan Elapsed) Transfer(string output)
    {
        var match = Must(TransferLine(), output, "a transfer detail line (deploy -v)");
        return (long.Parse(match.Groups[1].Value), TimeSpan.FromMilliseconds(double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)));
    }

    /// <summary>"  Docker's push: 2 layer(s) uploaded (4.3 KB), 3 asked about (673 ms)"; null when Docker did not push (a save stream went).</summary>
    public static TimeSpan? DockerPush(string output) =>
        PushLine().Match(output) is { Success: true } m ? TimeSpan.FromMilliseconds(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) : null;

    /// <summary>"✓ 15.5 KB sent to 10.0.0.11: 2 of 4 layers, ..." → 2: the layers the server lacked.</summary>
    public static int LayersSent(string output) => int.Parse(Must(LayersLine(), output, "a \"sent to\" line").Groups[1].Value);

    public static TimeSpan HealthCheck(string output) => Seconds(Must(HealthLine(), output, "✓ Health check passed").Groups[1].Value);

    /// <summary>Zero when nothing had to drain (no old version serving).</summary>
    public static TimeSpan Drain(string output) => DrainLine().Match(output) is { Success: true } m ? Seconds(m.Groups[1].Value) : TimeSpan.Zero;

    /// <summary>"uploading podlift-agent (51.2 MB, 20.1 MB compressed)" → the compressed size in bytes.</summary>
    public static long AgentUpload(string output)
    {
        var match = Must(UploadLine(), output, "the agent upload line (agent install -v)");
        return (long)(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * Unit(match.Groups[2].Value));
    }

    /// <summary>How long each "[k/n] Step..." lasted: until the next step, the last one until the final ✓ line.</summary>
    public static IReadOnlyList<(string Step, TimeSpan Duration)> Steps(IReadOnlyList<TimedLine> lines)
    {
        var markers = lines.Select(l => (l.At, Match: StepLine().Match(l.Text))).Where(m => m.Match.Success).ToList();
        var end = lines.LastOrDefault(l => l.Text.StartsWith("✓ Deployment successful", StringComparison.Ordinal) || l.Text.StartsWith("✓ Rollback successful", StringComparison.Ordinal))?.At
                  ?? lines[^1].At;
        var steps = new List<(string, TimeSpan)> { ("start-up, until [1/n]", markers.Count > 0 ? markers[0].At : end) };
        for (var i = 0; i < markers.Count; i++)
            steps.Add((markers[i].Match.Groups[1].Value, (i + 1 < markers.Count ? markers[i + 1].At : end) - markers[i].At));
        return steps;
    }

    private static Match Must(Regex regex, string output, string what) =>
        regex.Match(output) is { Success: true } match ? match : throw new InvalidOperationException($"podlift's output has no {what}:\n{output}");

    private static TimeSpan Seconds(string text) => TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));

    private static double Unit(string unit) => unit switch { "KB" => 1024, "MB" => 1 << 20, "GB" => 1 << 30, _ => 1 };

    [GeneratedRegex(@"(\d+) bytes on the wire .*?([\d.]+) ms until loaded")]
    private static partial Regex TransferLine();

    [GeneratedRegex(@"sent to [^:]+: (\d+) of \d+ layers")]
    private static partial Regex LayersLine();

    [GeneratedRegex(@"Docker's push: .*\((\d+) ms\)")]
    private static partial Regex PushLine();

    [GeneratedRegex(@"✓ Health check passed \(([\d.]+)s\)")]
    private static partial Regex HealthLine();

    [GeneratedRegex(@"✓ Connections drained \(([\d.]+)s\)")]
    private static partial Regex DrainLine();

    [GeneratedRegex(@"uploading podlift-agent \([^,]+, ([\d.]+) (B|KB|MB|GB) compressed\)")]
    private static partial Regex UploadLine();

    [GeneratedRegex(@"^\[\d+/\d+\] (.+?)\.\.\.$")]
    private static partial Regex StepLine();
}

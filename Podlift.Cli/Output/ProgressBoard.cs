using System.Text;
using System.Text.RegularExpressions;

namespace Podlift.Cli.Output;

/// <summary>
/// `deploy --parallel` on a terminal: one live line per server, a bar of its step out of the total
/// and its latest message, redrawn in place. Each server writes its usual lines into its own writer.
/// </summary>
public sealed partial class ProgressBoard : IDisposable
{
    private readonly TextWriter _terminal;
    private readonly List<string> _servers;
    private readonly Dictionary<string, (int Step, int Total, string Last)> _state;
    private readonly object _gate = new();
    private bool _drawn;
    private bool _finished;

    public ProgressBoard(TextWriter terminal, IReadOnlyList<string> servers)
    {
        _terminal = terminal;
        _servers = servers.ToList();
        _state = servers.ToDictionary(s => s, _ => (0, 7, "waiting"));
        Render();
    }

    public TextWriter WriterFor(string server) => new LineWriter(line => Update(server, line));

    /// <summary>One server's line: `10.0.0.1  [=========>          ] 5/7 Start containers`. Pure.</summary>
    public static string Line(string server, int serverWidth, int step, int total, string last, int barWidth = 20)
    {
        var filled = total == 0 ? 0 : Math.Clamp(step * barWidth / total, 0, barWidth);
        var bar = new string('=', Math.Max(0, filled - 1)) + (filled > 0 ? ">" : "") + new string(' ', barWidth - filled);
        return $"{server.PadRight(serverWidth)}  [{bar}] {step}/{total} {last}";
    }

    private void Update(string server, string line)
    {
        lock (_gate)
        {
            var (step, total, last) = _state[server];
            var match = StepLine().Match(line);
            if (match.Success)
            {
                step = int.Parse(match.Groups[1].Value);
                total = int.Parse(match.Groups[2].Value);
                last = match.Groups[3].Value;
            }
            else if (line.Trim().Length > 0)
            {
                last = line.Trim();
            }
            _state[server] = (step, total, last.Length > 60 ? last[..57] + "..." : last);
            Render();
        }
    }

    private void Render()
    {
        lock (_gate)
        {
            if (_finished) return;
            var text = new StringBuilder();
            if (_drawn) text.Append($"\u001b[{_servers.Count}A");
            var width = _servers.Max(s => s.Length);
            foreach (var server in _servers)
            {
                var (step, total, last) = _state[server];
                text.Append("\r\u001b[2K").Append(Line(server, width, step, total, last)).Append('\n');
            }
            _terminal.Write(text.ToString());
            _terminal.Flush();
            _drawn = true;
        }
    }

    /// <summary>Draws the final state once; lines printed after it are left alone.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            Render();
            _finished = true;
        }
    }

    [GeneratedRegex(@"^\[(\d+)/(\d+)\] (.*?)(\.\.\.)?$")]
    private static partial Regex StepLine();

    private sealed class LineWriter(Action<string> onLine) : TextWriter
    {
        private readonly StringBuilder _pending = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                onLine(_pending.ToString().TrimEnd('\r'));
                _pending.Clear();
            }
            else _pending.Append(value);
        }

        public override void WriteLine(string? value)
        {
            onLine((_pending + (value ?? "")).TrimEnd('\r'));
            _pending.Clear();
        }
    }
}

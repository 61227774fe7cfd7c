using System.CommandLine;
using System.Text;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift completion bash|zsh|fish`: a completion script written from the command tree itself, so a new command
/// or flag completes without anyone editing a script. It completes command names and each command's flags (its
/// own and the global ones); after a flag that takes a value, and for arguments, the shell's file completion. Pure.
/// </summary>
public static class CompletionScripts
{
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "fish"];

    /// <summary>One command of the tree: its path under the root ("" for the root, "agent install"), what it offers next.</summary>
    private sealed record Node(string Path, IReadOnlyList<(string Name, string Description)> Subcommands, IReadOnlyList<Flag> Options)
    {
        /// <summary>Every name of every flag, with its description.</summary>
        public IEnumerable<(string Name, string Description)> Flags => Options.SelectMany(o => o.Names.Select(name => (name, o.Description)));

        public IReadOnlyList<string> ValueFlags => Options.Where(o => o.TakesValue).SelectMany(o => o.Names).ToList();
    }

    /// <summary>A flag: its names (--config, -c), what it does, and whether a value follows it.</summary>
    private sealed record Flag(IReadOnlyList<string> Names, string Description, bool TakesValue)
    {
        public string Long => Names.First(n => n.StartsWith("--", StringComparison.Ordinal));
        public string? Short => Names.FirstOrDefault(n => n.Length == 2 && n[0] == '-' && char.IsAsciiLetter(n[1]));
    }

    public static string For(string shell, RootCommand root) => shell switch
    {
        "bash" => Bash(Nodes(root)),
        "zsh" => Zsh(Nodes(root)),
        "fish" => Fish(Nodes(root)),
        _ => throw new ArgumentException($"no completion script for {shell}; there is one for {string.Join(", ", Shells)}", nameof(shell)),
    };

    private static List<Node> Nodes(RootCommand root)
    {
        var nodes = new List<Node>();
        void Visit(Command command, string path, IReadOnlyList<Option> inherited)
        {
            var options = inherited.Concat(command.Options.Where(o => !o.Hidden)).DistinctBy(o => o.Name).ToList();
            var flags = options.Select(o => new Flag([.. new[] { o.Name }.Concat(o.Aliases).Where(IsUnixFlag).Order(StringComparer.Ordinal)], o.Description ?? "", TakesValue(o)))
                .Where(f => f.Names.Count > 0).ToList();
            var subcommands = command.Subcommands.Where(c => !c.Hidden).Select(c => (c.Name, c.Description ?? "")).ToList();
            nodes.Add(new Node(path, subcommands, flags));
            var passedOn = options.Where(o => o.Recursive).ToList();
            foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
                Visit(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}", passedOn);
        }
        Visit(root, "", []);
        return nodes;
    }

    /// <summary>--help and -h, not the -? and /? forms System.CommandLine also accepts: they would be globs to a shell.</summary>
    private static bool IsUnixFlag(string name) =>
        name.StartsWith("--", StringComparison.Ordinal) || (name.Length == 2 && name[0] == '-' && char.IsAsciiLetter(name[1]));

    private static bool TakesValue(Option option) => option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);

    private static string Bash(IReadOnlyList<Node> nodes)
    {
        var script = new StringBuilder();
        script.AppendLine("# podlift completion for bash: source <(podlift completion bash), or save it in your bash-completion directory");
        script.AppendLine("_podlift() {");
        script.AppendLine("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmdpath='' word i words=''");
        script.AppendLine("  COMPREPLY=()");
        script.AppendLine("  for ((i = 1; i < COMP_CWORD; i++)); do");
        script.AppendLine("    word=${COMP_WORDS[i]}");
        script.AppendLine("    case \"$cmdpath $word\" in");
        script.AppendLine($"      {string.Join('|', nodes.Where(n => n.Path.Length > 0).Select(n => Quoted($" {n.Path}")))}) cmdpath=\"$cmdpath $word\" ;;");
        script.AppendLine("    esac");
        script.AppendLine("  done");
        script.AppendLine("  case \"$cmdpath\" in");
        foreach (var node in nodes)
        {
            var values = node.ValueFlags.Count == 0 ? "" : $"case \"$prev\" in {string.Join('|', node.ValueFlags)}) return ;; esac; ";
            script.AppendLine($"    {Quoted(node.Path.Length == 0 ? "" : $" {node.Path}")}) {values}words={Quoted(string.Join(' ', node.Subcommands.Select(s => s.Name).Concat(node.Flags.Select(f => f.Name))))} ;;");
        }
        script.AppendLine("  esac");
        script.AppendLine("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))");
        script.AppendLine("}");
        script.AppendLine("complete -o default -F _podlift podlift");
        return script.ToString();
    }

    private static string Zsh(IReadOnlyList<Node> nodes)
    {
        var script = new StringBuilder();
        script.AppendLine("#compdef podlift");
        script.AppendLine("# podlift completion for zsh: source <(podlift completion zsh), or save it as _podlift in your $fpath");
        script.AppendLine("_podlift() {");
        script.AppendLine("  local cmdpath='' word i");
        script.AppendLine("  local -a candidates");
        script.AppendLine("  for ((i = 2; i < CURRENT; i++)); do");
        script.AppendLine("    word=${words[i]}");
        script.AppendLine("    case \"$cmdpath $word\" in");
        script.AppendLine($"      ({string.Join('|', nodes.Where(n => n.Path.Length > 0).Select(n => Quoted($" {n.Path}")))}) cmdpath=\"$cmdpath $word\" ;;");
        script.AppendLine("    esac");
        script.AppendLine("  done");
        script.AppendLine("  case \"$cmdpath\" in");
        foreach (var node in nodes)
        {
            var values = node.ValueFlags.Count == 0 ? "" : $"case \"${{words[CURRENT-1]}}\" in ({string.Join('|', node.ValueFlags)}) _files; return ;; esac; ";
            var entries = node.Subcommands.Concat(node.Flags).Select(e => Quoted($"{e.Name.Replace(":", "\\:")}:{e.Description.Replace(":", "\\:")}"));
            script.AppendLine($"    ({Quoted(node.Path.Length == 0 ? "" : $" {node.Path}")}) {values}candidates=({string.Join(' ', entries)}) ;;");
        }
        script.AppendLine("  esac");
        script.AppendLine("  _describe 'podlift' candidates || _files");
        script.AppendLine("}");
        script.AppendLine("if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _podlift \"$@\"; else compdef _podlift podlift; fi");
        return script.ToString();
    }

    private static string Fish(IReadOnlyList<Node> nodes)
    {
        var script = new StringBuilder();
        script.AppendLine("# podlift completion for fish: podlift completion fish | source, or save it as ~/.config/fish/completions/podlift.fish");
        script.AppendLine("complete -c podlift -f");
        foreach (var node in nodes)
        {
            var condition = FishCondition(node, nodes);
            foreach (var (name, description) in node.Subcommands)
                script.AppendLine($"complete -c podlift -n {Quoted(condition + FishNoneOf(node))} -a {name} -d {Quoted(description)}");
            foreach (var option in node.Options.Where(o => o.Names.Any(n => n.StartsWith("--", StringComparison.Ordinal))))
            {
                var flag = $"-l {option.Long[2..]}{(option.Short is { } letter ? $" -s {letter[1..]}" : "")}{(option.TakesValue ? " -r -F" : "")}";
                script.AppendLine($"complete -c podlift -n {Quoted(condition)} {flag} -d {Quoted(option.Description)}");
            }
        }
        return script.ToString();
    }

    /// <summary>fish: the command line names this node's path (and, for a top-level name another group also has, not that group).</summary>
    private static string FishCondition(Node node, IReadOnlyList<Node> nodes)
    {
        if (node.Path.Length == 0) return "__fish_use_subcommand";
        var segments = node.Path.Split(' ');
        var conditions = segments.Select(s => $"__fish_seen_subcommand_from {s}").ToList();
        if (segments.Length == 1)
            conditions.AddRange(nodes.Where(n => !n.Path.Contains(' ') && n.Path.Length > 0 && n.Subcommands.Any(s => s.Name == segments[0]))
                .Select(group => $"not __fish_seen_subcommand_from {group.Path}"));
        return string.Join("; and ", conditions);
    }

    private static string FishNoneOf(Node node) =>
        node.Path.Length == 0 || node.Subcommands.Count == 0 ? "" : $"; and not __fish_seen_subcommand_from {string.Join(' ', node.Subcommands.Select(s => s.Name))}";

    /// <summary>Single-quoted for sh, zsh and fish alike ('\'' for a quote inside).</summary>
    private static string Quoted(string text) => $"'{text.Replace("'", "'\\''")}'";
}

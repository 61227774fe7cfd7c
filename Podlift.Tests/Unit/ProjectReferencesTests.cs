using System.Text.RegularExpressions;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Tests.EndToEnd;

namespace Podlift.Tests.Unit;

/// <summary>Nothing in the repository points to a file it does not contain: no stray names, no broken Markdown links.</summary>
public partial class ProjectReferencesTests
{
    private static readonly string[] SkippedDirectories = ["bin", "obj", "artifacts", ".git", "TestResults"];

    private static string Root => RepositoryPaths.Root;

    /// <summary>Source, scripts and docs: .cs, .md, .sh and the Makefile, without build output.</summary>
    private static IEnumerable<string> ProjectFiles() =>
        Files(Root).Where(path => Path.GetExtension(path) is ".cs" or ".md" or ".sh" || Path.GetFileName(path) == "Makefile");

    private static IEnumerable<string> Files(string directory) =>
        Directory.EnumerateFiles(directory).Concat(Directory.EnumerateDirectories(directory)
            .Where(sub => !SkippedDirectories.Contains(Path.GetFileName(sub)))
            .SelectMany(Files));

    private static string Relative(string path) => Path.GetRelativePath(Root, path);

    /// <summary>
    /// Docs and scripts name no path above the repository (`../x`) that is not in it: what lies beside a checkout
    /// is not what a user has. Code is left out: its tests name such paths on purpose, as input that must be refused.
    /// </summary>
    [Test]
    public void No_doc_or_script_names_a_path_outside_the_repository()
    {
        var outside = ProjectFiles().Where(path => Path.GetExtension(path) != ".cs")
            .SelectMany(path => File.ReadLines(path).Select((line, index) => (path, line, number: index + 1)))
            .SelectMany(at => ParentPath().Matches(at.line).Select(match => (at.path, at.number, name: match.Value)))
            .Where(at => Path.GetFullPath(at.name, Path.GetDirectoryName(at.path)!) is var full
                         && !(full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && (File.Exists(full) || Directory.Exists(full))))
            .Select(at => $"{Relative(at.path)}:{at.number}: {at.name}")
            .ToList();

        Assert.That(outside, Is.Empty, "these name paths the repository does not contain");
    }

    [Test]
    public void An_unknown_key_of_podlift_yml_points_to_the_reference_podlift_ships()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("podlift.yml", "service: myapp\nimage: myapp\nservers: [10.0.0.1]\nservcies: {}\n");

        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Load(path, new Dictionary<string, string>()))!;

        Assert.That(error.Fix, Does.Contain("docs/configuration.md"));
        Assert.That(File.Exists(Path.Combine(Root, "docs", "configuration.md")), Is.True);
    }

    /// <summary>In code, scripts and the docs themselves: a user only has the Markdown files the repository ships.</summary>
    [Test]
    public void Every_md_file_named_anywhere_exists()
    {
        var missing = ProjectFiles()
            .SelectMany(path => File.ReadLines(path).Select((line, index) => (path, line, number: index + 1)))
            .SelectMany(at => MarkdownFileName().Matches(at.line).Select(match => (at.path, at.number, name: match.Value)))
            .Where(at => !Exists(at.name, besides: at.path))
            .Select(at => $"{Relative(at.path)}:{at.number}: {at.name}")
            .ToList();

        Assert.That(missing, Is.Empty, "these .md files are named but not in the repository");
    }

    /// <summary>A file named from the root, from beside the file naming it, or by the end of its path (as in Path.Combine("docs", "configuration.md")).</summary>
    private static bool Exists(string name, string besides) =>
        File.Exists(Path.Combine(Root, name)) || File.Exists(Path.Combine(Path.GetDirectoryName(besides)!, name))
        || Files(Root).Any(path => path.EndsWith(Path.DirectorySeparatorChar + name, StringComparison.Ordinal));

    [Test]
    public void Every_relative_link_of_the_docs_points_to_a_file_and_heading_that_exist()
    {
        var docs = new[] { Path.Combine(Root, "README.md") }.Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md"));
        var broken = new List<string>();
        foreach (var doc in docs)
        {
            foreach (var (target, number) in Links(doc))
            {
                var hash = target.IndexOf('#');
                var file = hash < 0 ? target : target[..hash];
                var anchor = hash < 0 ? null : target[(hash + 1)..];
                var path = file.Length == 0 ? doc : Path.GetFullPath(Uri.UnescapeDataString(file), Path.GetDirectoryName(doc)!);
                if (!File.Exists(path) && !Directory.Exists(path)) broken.Add($"{Relative(doc)}:{number}: {target} (no such file)");
                else if (anchor is not null && path.EndsWith(".md", StringComparison.Ordinal) && !Anchors(path).Contains(anchor))
                    broken.Add($"{Relative(doc)}:{number}: {target} (no such heading)");
            }
        }

        Assert.That(broken, Is.Empty);
    }

    /// <summary>Relative link targets outside code spans and blocks: [text](target) and [text]: target.</summary>
    private static IEnumerable<(string Target, int Line)> Links(string markdown)
    {
        var inCodeBlock = false;
        var number = 0;
        foreach (var line in File.ReadLines(markdown))
        {
            number++;
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inCodeBlock = !inCodeBlock;
            if (inCodeBlock) continue;
            var prose = CodeSpan().Replace(line, "");
            foreach (Match link in InlineLink().Matches(prose).Concat(ReferenceLink().Matches(prose)))
            {
                var target = link.Groups["target"].Value;
                if (!ExternalLink().IsMatch(target)) yield return (target, number);
            }
        }
    }

    /// <summary>The anchors GitHub gives a file's headings: lowercase, punctuation dropped, spaces as dashes, repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>();
        var inCodeBlock = false;
        foreach (var line in File.ReadLines(markdown))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inCodeBlock = !inCodeBlock;
            if (inCodeBlock || Heading().Match(line) is not { Success: true } heading) continue;
            var slug = new string(heading.Groups["text"].Value.Trim().ToLowerInvariant()
                .Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-');
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++) unique = $"{slug}-{n}";
        }
        return anchors;
    }

    [GeneratedRegex(@"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b")]
    private static partial Regex MarkdownFileName();

    /// <summary>A path that starts by going up: ../x, ../../x/y (not a bare "..").</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_.-])(\.\./)+[A-Za-z0-9_][A-Za-z0-9_./-]*")]
    private static partial Regex ParentPath();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^\s*\[[^\]]+\]:\s+(?<target>\S+)")]
    private static partial Regex ReferenceLink();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalLink();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();
}

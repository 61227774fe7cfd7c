using System.Text.RegularExpressions;

namespace Podlift.Cli.Building;

/// <summary>Where a Dockerfile's RUN instructions execute: on the platform being built for, on the builder's own, or on one a stage names.</summary>
public enum RunsOn
{
    /// <summary>A stage of the target platform: `FROM image`.</summary>
    Target,
    /// <summary>`FROM --platform=$BUILDPLATFORM image`: the build machine's own, whatever the target.</summary>
    BuildPlatform,
    /// <summary>`FROM --platform=linux/amd64 image`: the platform the stage names.</summary>
    Named,
}

/// <summary>One stage that runs commands, and the platform it names when it names one.</summary>
public sealed record StageRuns(RunsOn On, Platform? Named = null);

/// <summary>
/// Which stages of a Dockerfile run commands (RUN), and on which platform: building for another platform than the
/// local Docker's own needs emulation only to run them; a Dockerfile that only copies files (FROM scratch, COPY)
/// builds for any platform without it. Reads the instructions as Docker does: comments, line continuations and the
/// escape directive. Pure.
/// </summary>
public static partial class DockerfileRuns
{
    public static IReadOnlyList<StageRuns> Of(string dockerfile)
    {
        var runs = new List<StageRuns>();
        StageRuns? stage = null;
        var stageRuns = false;
        foreach (var instruction in Instructions(dockerfile))
        {
            var keyword = instruction.Split(' ', 2)[0].ToUpperInvariant();
            if (keyword == "FROM")
            {
                if (stage is not null && stageRuns) runs.Add(stage);
                stage = StageOf(instruction);
                stageRuns = false;
            }
            else if (keyword == "RUN") stageRuns = true;
        }
        if (stage is not null && stageRuns) runs.Add(stage);
        return runs;
    }

    private static StageRuns StageOf(string from)
    {
        var platform = FromPlatform().Match(from);
        if (!platform.Success) return new StageRuns(RunsOn.Target);
        var value = platform.Groups[1].Value.Trim('"', '\'');
        if (value is "$BUILDPLATFORM" or "${BUILDPLATFORM}") return new StageRuns(RunsOn.BuildPlatform);
        if (value is "$TARGETPLATFORM" or "${TARGETPLATFORM}") return new StageRuns(RunsOn.Target);
        return Platform.Parse(value) is { } named ? new StageRuns(RunsOn.Named, named) : new StageRuns(RunsOn.Target);
    }

    /// <summary>The instructions, one line each: comments dropped, continued lines joined.</summary>
    private static IEnumerable<string> Instructions(string dockerfile)
    {
        var lines = dockerfile.Replace("\r\n", "\n").Split('\n');
        var escape = '\\';
        var directives = true;
        var current = new System.Text.StringBuilder();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (directives && EscapeDirective().Match(line) is { Success: true } directive)
            {
                escape = directive.Groups[1].Value[0];
                continue;
            }
            if (line.StartsWith('#'))
            {
                directives &= DirectiveLine().IsMatch(line);
                continue;
            }
            directives = false;
            if (line.Length == 0) continue;
            if (line.EndsWith(escape))
            {
                current.Append(line[..^1]).Append(' ');
                continue;
            }
            current.Append(line);
            yield return current.ToString().Trim();
            current.Clear();
        }
        if (current.Length > 0) yield return current.ToString().Trim();
    }

    [GeneratedRegex(@"^#\s*escape\s*=\s*([\\`])\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex EscapeDirective();

    [GeneratedRegex(@"^#\s*[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex DirectiveLine();

    [GeneratedRegex(@"--platform=(\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex FromPlatform();
}

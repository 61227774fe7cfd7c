using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Local;

public sealed record GitCommit(string ShortSha, string Subject, string Author);

/// <summary>The project's git state: deploys are versioned by commit, so the tree must be clean.</summary>
public static class Git
{
    public static async Task<GitCommit> CleanHeadAsync(string directory, CancellationToken cancellationToken)
    {
        var status = await GitAsync(directory, ["status", "--porcelain"], cancellationToken);
        if (!status.Succeeded)
            throw new ValidationException($"{directory} is not a git repository ({status.StandardError.Trim()})",
                "podlift tags each deploy with its commit: run `git init` and commit your app");
        var changes = status.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (changes.Length > 0)
            throw new ValidationException(
                $"the git tree has uncommitted changes, so the deploy would not match any commit:\n{string.Join('\n', changes.Take(10).Select(c => "  " + c))}",
                "commit them (git add -A && git commit) or stash them, then deploy");

        var head = await GitAsync(directory, ["log", "-1", "--format=%h%n%s%n%an", "--abbrev=7"], cancellationToken);
        if (!head.Succeeded) throw new ValidationException("the git repository has no commit yet", "commit your app first");
        var lines = head.StandardOutput.Split('\n');
        return new GitCommit(lines[0].Trim(), lines.ElementAtOrDefault(1)?.Trim() ?? "", lines.ElementAtOrDefault(2)?.Trim() ?? "");
    }

    public static async Task<string?> UserNameAsync(string directory, CancellationToken cancellationToken)
    {
        var name = await GitAsync(directory, ["config", "user.name"], cancellationToken);
        return name.Succeeded && name.StandardOutput.Trim() is { Length: > 0 } value ? value : null;
    }

    /// <summary>
    /// Who is deploying, as a project: the origin remote without any credential in it (a CI token never leaves
    /// this machine), or this machine and the repository's path.
    /// </summary>
    public static async Task<string> SourceAsync(string directory, CancellationToken cancellationToken)
    {
        var origin = await GitAsync(directory, ["config", "--get", "remote.origin.url"], cancellationToken);
        if (origin.Succeeded && origin.StandardOutput.Trim() is { Length: > 0 } url) return ProjectSource.WithoutCredentials(url);
        var top = await GitAsync(directory, ["rev-parse", "--show-toplevel"], cancellationToken);
        return $"{Environment.MachineName}:{(top.Succeeded ? top.StandardOutput.Trim() : directory)}";
    }

    private static Task<ProcessOutput> GitAsync(string directory, string[] arguments, CancellationToken cancellationToken) =>
        LocalProcess.RunAsync("git", ["-C", directory, .. arguments], cancellationToken: cancellationToken);
}

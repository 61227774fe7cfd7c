namespace Podlift.Cli.Local;

/// <summary>Resolves what a user passes as --to: a tag or any commit name becomes the short sha podlift versions by.</summary>
public static class GitRefs
{
    public static async Task<string?> ShortShaAsync(string directory, string reference, CancellationToken cancellationToken)
    {
        if (reference.StartsWith('-')) return null;
        var result = await LocalProcess.RunAsync("git", ["-C", directory, "rev-parse", "--verify", "--quiet", "--short=7", $"{reference}^{{commit}}"],
            cancellationToken: cancellationToken);
        return result.Succeeded && result.StandardOutput.Trim() is { Length: > 0 } sha ? sha : null;
    }
}

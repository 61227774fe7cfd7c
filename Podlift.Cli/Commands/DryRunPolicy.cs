namespace Podlift.Cli.Commands;

public enum DryRunMode
{
    /// <summary>Prints what it would change (on the servers, or in local files) and changes nothing; it may read, and connect to read.</summary>
    PrintsPlan,
    /// <summary>Changes nothing in any case: a dry run is the command itself.</summary>
    ReadsOnly,
    /// <summary>Exit 2 with --dry-run: its effect cannot be previewed.</summary>
    Refused,
}

/// <summary>What one command does with the global --dry-run; <see cref="WhyRefused"/> says why a refusing command cannot preview.</summary>
public sealed record DryRunPolicy(DryRunMode Mode, string? WhyRefused = null)
{
    public static readonly DryRunPolicy PrintsPlan = new(DryRunMode.PrintsPlan);
    public static readonly DryRunPolicy ReadsOnly = new(DryRunMode.ReadsOnly);

    public static DryRunPolicy Refused(string why) => new(DryRunMode.Refused, why);
}

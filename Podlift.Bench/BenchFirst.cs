using Podlift.Testing;

namespace Podlift.Bench;

/// <summary>
/// BENCH=first BASELINE=&lt;commit&gt; (make builds that commit's CLI and agent: BASELINE_CLI): issue 15 asks that the
/// first deploy gets no slower than before its work, and a figure of another day says little on a machine whose speed
/// moves by half between days. So both programs deploy the same app from nothing to the same server in turns (which
/// goes first alternates), each after installing its own agent, with zstd (the default). Each deploy is of a base
/// image built for it (new random bytes): the first deploy of layers this machine never pushed, where this code's
/// Docker push also compresses them to learn their digests, beside the save stream.
/// </summary>
public sealed partial class Bench
{
    public const string ThisCode = ", this code";
    public const string BaselineCode = ", baseline";

    /// <summary>FIRST_BASE=reused: every deploy on the bench's one base, whose layers this machine's Docker has pushed after the first.</summary>
    private static readonly bool ReusedBase = Environment.GetEnvironmentVariable("FIRST_BASE") == "reused";

    private static readonly string? BaselineCli = Environment.GetEnvironmentVariable("BASELINE_CLI") is { Length: > 0 } path ? path : null;

    private async Task<Figures> FirstAgainstBaselineAsync()
    {
        if (BaselineCli is null) throw new InvalidOperationException("BENCH=first compares with another commit's podlift: BENCH=first BASELINE=<commit> make bench");
        Facts["baseline (BASELINE_CLI)"] = BaselineCli;
        Facts["base"] = ReusedBase ? "one for every deploy (FIRST_BASE=reused)" : "a new one for each deploy: layers never pushed";
        WriteConfig(_server[0]);
        var programs = new[] { (ThisCode, _cli), (BaselineCode, BaselineCli) };
        try
        {
            for (var run = 1; run <= runs; run++)
            {
                foreach (var (of, cli) in run % 2 == 1 ? programs : programs.Reverse())
                {
                    Progress($"first deploy{of}, run {run}/{runs}");
                    _cli = cli;
                    await TimedAsync("agent", "install");
                    if (ReusedBase)
                    {
                        await FirstDeployAsync("zstd", of);
                        continue;
                    }
                    var fresh = await TestImages.BigBaseAsync($"podlift-bench-fresh:{megabytes}-{Guid.NewGuid():N}", megabytes);
                    await App.UseBaseImageAsync(fresh);
                    await FirstDeployAsync("zstd", of);
                    // the next deploy's base is another: this one's layers go (the server's go with its reset)
                    await Shell.MustAsync("docker", "rmi", $"bench:{await App.HeadShaAsync()}", fresh);
                }
            }
        }
        finally
        {
            _cli = PublishedCli;
        }
        return _figures;
    }
}

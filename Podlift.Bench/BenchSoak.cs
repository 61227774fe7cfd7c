namespace Podlift.Bench;

/// <summary>
/// BENCH=soak: does the memory of an agent that runs for months settle, or grow with every deploy? One server, its agent
/// never restarted: SOAK_DEPLOYS deploys in all (300), a first one, then every fourth a rollback, the others a redeploy
/// of one small layer (a commit, a build, a deploy: the push, the load, a container start, the switch and the drain);
/// the agent's idle RSS every <see cref="SoakStep"/> deploys, which the report compares, and the journals kept at the end.
/// </summary>
public sealed partial class Bench
{
    public const int SoakStep = 20;

    public static readonly int SoakDeploys = int.TryParse(Environment.GetEnvironmentVariable("SOAK_DEPLOYS"), out var deploys) && deploys >= 2 * SoakStep
        ? deploys / SoakStep * SoakStep
        : 15 * SoakStep;

    /// <summary>The sample that begins the soak's last third: the growth after it is the report's target (the first deploys add the code they run).</summary>
    public static readonly int SoakLastThird = SoakStep * (int)Math.Round(SoakDeploys * 2.0 / 3 / SoakStep);

    public static string SoakRss(int deploys) => $"soak: agent idle RSS after {deploys} deploys (MB)";

    private async Task<Figures> SoakAsync()
    {
        Facts["soak"] = $"{SoakDeploys} deploys to one agent that is never restarted, every fourth a rollback, the others a redeploy of one small layer";
        WriteConfig(_server[0]);
        await CommitAsync();
        await TimedAsync("deploy");
        var agent = await _server[0].AgentPidAsync();
        for (var deploy = 2; deploy <= SoakDeploys; deploy++)
        {
            if (deploy % 4 == 0) await TimedAsync("rollback");
            else
            {
                await CommitAsync();
                await TimedAsync("deploy");
            }
            if (deploy % SoakStep != 0) continue;
            Progress($"soak, {deploy}/{SoakDeploys} deploys");
            await Task.Delay(TimeSpan.FromSeconds(5));
            _figures.Add(SoakRss(deploy), await _server[0].AgentRssAsync() / 1048576.0);
            _figures.Add($"soak: agent anonymous memory after {deploy} deploys (MB)", await _server[0].AgentAnonymousAsync() / 1048576.0);
        }
        _figures.Add($"soak: the app's journal and plan files on the server after {SoakDeploys} deploys", await _server[0].JournalFilesAsync("bench"));
        // a restart would start the count again, and hide a growth
        if (await _server[0].AgentPidAsync() != agent) throw new InvalidOperationException("the agent restarted during the soak: its memory says nothing about growth");
        return _figures;
    }
}

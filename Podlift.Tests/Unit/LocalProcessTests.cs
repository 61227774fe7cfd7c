using Podlift.Cli.Local;

namespace Podlift.Tests.Unit;

/// <summary>Local programs, run for real: what a cancelled run leaves behind.</summary>
public class LocalProcessTests
{
    [Test]
    public async Task Cancelling_kills_the_program_it_waits_for()
    {
        using var temp = new TempDirectory();
        var pidFile = temp.PathOf("pid");
        using var cancel = new CancellationTokenSource();
        var run = LocalProcess.RunAsync("sh", ["-c", $"echo $$ > {pidFile}; exec sleep 30"], cancellationToken: cancel.Token);
        for (var waited = 0; !File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0; waited += 20)
        {
            Assert.That(waited, Is.LessThan(10_000), "sh never started");
            await Task.Delay(20);
        }
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());

        await cancel.CancelAsync();

        Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());
        for (var waited = 0; Alive(pid); waited += 20)
        {
            Assert.That(waited, Is.LessThan(5_000), "the program still runs after its run was cancelled");
            await Task.Delay(20);
        }
    }

    /// <summary>Running, not a zombie waiting to be reaped.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}

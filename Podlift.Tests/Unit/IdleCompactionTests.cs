using Podlift.Agent.Hosting;

namespace Podlift.Tests.Unit;

/// <summary>The heap is compacted once the agent is quiet: never while a call is in flight, once per quiet spell.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class IdleCompactionTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(60);
    private int _compactions;

    private IdleCompaction Idle(TimeSpan? quiet = null) => new(() => Interlocked.Increment(ref _compactions), quiet ?? Quiet);

    /// <summary>Waits for the first compaction (a loaded machine may fire the timer late), then a while for any other.</summary>
    private async Task<int> CompactionsAfterAWhileAsync()
    {
        for (var waited = TimeSpan.Zero; Volatile.Read(ref _compactions) == 0 && waited < TimeSpan.FromSeconds(5); waited += Quiet)
            await Task.Delay(Quiet);
        await Task.Delay(Quiet * 3);
        return Volatile.Read(ref _compactions);
    }

    [Test]
    public async Task A_call_that_ends_is_followed_by_one_compaction_after_the_quiet_time()
    {
        using var idle = Idle(TimeSpan.FromMilliseconds(400));

        idle.Call().Dispose();
        await Task.Delay(20);
        Assert.That(_compactions, Is.EqualTo(0), "not before the quiet time");

        Assert.That(await CompactionsAfterAWhileAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task Nothing_is_compacted_while_a_call_is_in_flight()
    {
        using var idle = Idle();
        var deploy = idle.Call();

        idle.Call().Dispose(); // a short call beside the long one (a Hello during a deploy's stream)
        await Task.Delay(Quiet * 4);
        Assert.That(_compactions, Is.EqualTo(0));

        deploy.Dispose();
        Assert.That(await CompactionsAfterAWhileAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_call_within_the_quiet_time_puts_the_compaction_off()
    {
        var quiet = TimeSpan.FromMilliseconds(400); // long beside the pause below, which a loaded machine may stretch
        using var idle = Idle(quiet);

        idle.Call().Dispose();
        await Task.Delay(20);
        var next = idle.Call(); // the next call of the same command
        await Task.Delay(quiet + TimeSpan.FromMilliseconds(200));
        Assert.That(_compactions, Is.EqualTo(0));
        next.Dispose();
        next.Dispose(); // twice is once

        Assert.That(await CompactionsAfterAWhileAsync(), Is.EqualTo(1));
    }
}

using Podlift.Agent.Deploy;

namespace Podlift.Tests.Unit;

public class SwitchGateTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    private readonly SwitchGate _gate = new();

    [TestCase(true, "upstream updated")]
    [TestCase(false, "nginx -t failed on the primary")]
    public async Task Release_after_WaitAsync_passes_the_answer_to_the_waiting_deploy(bool proceed, string reason)
    {
        var waiting = _gate.WaitAsync("d-1", Long, CancellationToken.None);

        Assert.That(_gate.Release("d-1", proceed, reason), Is.True);
        Assert.That(await waiting, Is.EqualTo(new SwitchAnswer(proceed, reason)));
    }

    [Test]
    public async Task Release_before_WaitAsync_finds_no_deploy_and_is_not_kept()
    {
        Assert.That(_gate.Release("d-1", true, "too early"), Is.False);

        var (proceed, reason, _) = await _gate.WaitAsync("d-1", Short, CancellationToken.None);

        Assert.That(proceed, Is.False);
        Assert.That(reason, Does.StartWith("no word"));
    }

    [Test]
    public async Task Release_of_another_deploy_leaves_the_waiting_one_waiting()
    {
        var waiting = _gate.WaitAsync("d-1", Long, CancellationToken.None);

        Assert.That(_gate.Release("d-2", true, "not you"), Is.False);
        Assert.That(waiting.IsCompleted, Is.False);

        Assert.That(_gate.Release("d-1", true, "you"), Is.True);
        Assert.That(await waiting, Is.EqualTo(new SwitchAnswer(true, "you")));
    }

    [Test]
    public async Task Timeout_means_do_not_proceed_with_a_reason_starting_no_word()
    {
        var (proceed, reason, _) = await _gate.WaitAsync("d-1", Short, CancellationToken.None);

        Assert.That(proceed, Is.False);
        Assert.That(reason, Does.StartWith("no word from the CLI within"));
        Assert.That((await _gate.WaitAsync("d-2", Short, CancellationToken.None)).NoAnswer, Is.True, "the deploy can tell no answer from a refusal");
    }

    [Test]
    public async Task A_deploy_that_stopped_waiting_can_no_longer_be_released()
    {
        await _gate.WaitAsync("d-1", Short, CancellationToken.None);

        Assert.That(_gate.Release("d-1", true, "late"), Is.False);
    }

    [Test]
    public async Task Only_the_first_release_counts()
    {
        var waiting = _gate.WaitAsync("d-1", Long, CancellationToken.None);

        Assert.That(_gate.Release("d-1", true, "first"), Is.True);
        Assert.That(_gate.Release("d-1", false, "second"), Is.False);
        Assert.That(await waiting, Is.EqualTo(new SwitchAnswer(true, "first")));
    }

    [Test]
    public void Cancellation_ends_the_wait_with_an_exception()
    {
        using var cancellation = new CancellationTokenSource();
        var waiting = _gate.WaitAsync("d-1", Long, cancellation.Token);

        cancellation.Cancel();

        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(_gate.Release("d-1", true, "after cancel"), Is.False);
    }
}

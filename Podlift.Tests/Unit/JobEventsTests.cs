using Google.Protobuf;
using NUnit.Framework;
using Podlift.Agent.Deploy;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class JobEventsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static DeployEvent Say(string text) => new() { Message = new Message { Level = EventLevel.Info, Text = text } };

    private static async Task<List<DeployEvent>> ReadAll(JobEvents events)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var read = new List<DeployEvent>();
        await foreach (var deployEvent in events.ReadAllAsync(timeout.Token)) read.Add(deployEvent);
        return read;
    }

    [Test]
    public void Publish_numbers_events_and_stamps_the_deploy_id()
    {
        using var events = new JobEvents("d-7", Operation.Deploy, journalPath: null);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        events.Publish(Say("a"));
        events.Publish(Say("b"));
        events.Publish(new DeployEvent { DeployId = "spoofed", StepStarted = new StepStarted { Step = DeployStep.Switch } });
        events.Complete();

        var read = ReadAll(events).Result;
        Assert.That(read.Select(e => e.Sequence), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(read.Select(e => e.DeployId), Is.All.EqualTo("d-7"));
        Assert.That(read.Select(e => e.UnixMilliseconds), Is.All.GreaterThanOrEqualTo(before));
    }

    [Test]
    public void Current_step_follows_step_started_events()
    {
        using var events = new JobEvents("d-1", Operation.Deploy, null);
        Assert.That(events.CurrentStep, Is.EqualTo(DeployStep.Unspecified));

        events.Publish(new DeployEvent { StepStarted = new StepStarted { Step = DeployStep.Start } });
        events.Publish(Say("starting"));
        events.Publish(new DeployEvent { StepStarted = new StepStarted { Step = DeployStep.Cleanup } });

        Assert.That(events.CurrentStep, Is.EqualTo(DeployStep.Cleanup));
    }

    [Test]
    public async Task A_reader_that_starts_late_gets_every_event_from_the_start()
    {
        using var events = new JobEvents("d-1", Operation.Deploy, null);
        events.Publish(Say("one"));
        events.Publish(Say("two"));
        events.Complete();

        var first = await ReadAll(events);
        var second = await ReadAll(events);

        Assert.That(first.Select(e => e.Message.Text), Is.EqualTo(new[] { "one", "two" }));
        Assert.That(second.Select(e => e.Message.Text), Is.EqualTo(new[] { "one", "two" }));
    }

    [Test]
    public async Task A_live_reader_gets_events_published_after_it_started_and_ends_after_complete()
    {
        using var events = new JobEvents("d-1", Operation.Deploy, null);
        events.Publish(Say("before"));
        var reading = ReadAll(events);

        await Task.Delay(50);
        Assert.That(reading.IsCompleted, Is.False, "the reader waits for more events until Complete");
        events.Publish(Say("during"));
        await Task.Delay(50);
        Assert.That(reading.IsCompleted, Is.False);
        events.Complete();

        var read = await reading.WaitAsync(Patience);
        Assert.That(read.Select(e => e.Message.Text), Is.EqualTo(new[] { "before", "during" }));
    }

    [Test]
    public async Task Many_concurrent_readers_each_see_the_whole_log_in_order()
    {
        using var events = new JobEvents("d-1", Operation.Deploy, null);
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => ReadAll(events))).ToList();

        for (var i = 1; i <= 200; i++) events.Publish(Say(i.ToString()));
        events.Complete();

        foreach (var read in await Task.WhenAll(readers).WaitAsync(Patience))
            Assert.That(read.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, 200).Select(i => (long)i)));
    }

    [Test]
    public void A_waiting_reader_can_be_cancelled()
    {
        using var events = new JobEvents("d-1", Operation.Deploy, null);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.That(async () =>
        {
            await foreach (var _ in events.ReadAllAsync(cancel.Token)) { }
        }, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Publishing_after_complete_is_refused()
    {
        using var events = new JobEvents("d-1", Operation.Deploy, null);
        events.Complete();

        Assert.That(() => events.Publish(Say("late")), Throws.InvalidOperationException);
    }

    [Test]
    public void The_journal_gets_one_json_line_per_event()
    {
        using var dir = new TempDirectory();
        var journal = Path.Combine(dir.Path, "journal", "d-9.jsonl");

        using (var events = new JobEvents("d-9", Operation.Deploy, journal))
        {
            events.Publish(new DeployEvent { StepStarted = new StepStarted { Step = DeployStep.Start } });
            events.Publish(Say("multi\nline text"));
            events.Publish(new DeployEvent { Finished = new DeployFinished { Success = true, Version = "abc" } });
            events.Complete();
        }

        var lines = File.ReadAllLines(journal);
        var parsed = lines.Select(line => JsonParser.Default.Parse<DeployEvent>(line)).ToList();
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(parsed.Select(e => e.Sequence), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(parsed.Select(e => e.DeployId), Is.All.EqualTo("d-9"));
        Assert.That(parsed[1].Message.Text, Is.EqualTo("multi\nline text"));
        Assert.That(parsed[2].Finished.Version, Is.EqualTo("abc"));
    }

    [Test]
    public void The_journal_is_appended_to_not_truncated()
    {
        using var dir = new TempDirectory();
        var journal = dir.Write("d-1.jsonl", "{\"sequence\":\"1\"}\n");

        using (var events = new JobEvents("d-1", Operation.Deploy, journal)) events.Publish(Say("again"));

        Assert.That(File.ReadAllLines(journal), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task A_journal_the_disk_cannot_take_does_not_stop_the_job_or_its_readers()
    {
        Assume.That(File.Exists("/dev/full"), "/dev/full answers every write with ENOSPC");
        var events = new JobEvents("d-1", Operation.Deploy, "/dev/full");

        Assert.DoesNotThrow(() => events.Publish(Say("Starting...")));
        Assert.DoesNotThrow(() => events.Publish(new DeployEvent { Finished = new DeployFinished { Success = false, Error = "the disk is full" } }));
        events.Complete();
        Assert.DoesNotThrow(events.Dispose);

        Assert.That((await ReadAll(events)).Select(e => e.Sequence), Is.EqualTo(new long[] { 1, 2 }), "readers get every event");
        Assert.That(events.JournalError, Does.Contain("No space left on device"));
    }
}

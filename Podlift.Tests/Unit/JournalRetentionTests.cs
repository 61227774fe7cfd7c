using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Deploy;
using Podlift.Agent.State;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>
/// An app's journals and plans (which hold env values) do not pile up with its deploys: the newest as many as the ledger
/// lists stay, and those its record or its containers still name, whatever their age; the rest go when a job ends.
/// </summary>
public class JournalRetentionTests
{
    /// <summary>Deploy ids in the agent's form, the n-th started n minutes after a midnight long past (a new job's id sorts after them all).</summary>
    private static string Id(int n) => $"20200101T{n / 60:00}{n % 60:00}00000Z-v{n}";

    private static DeploymentRecord Deployment(int n) => new() { Version = $"v{n}", Image = $"shop:v{n}", DeployId = Id(n), DeployedAt = DateTimeOffset.UtcNow };

    [Test]
    public void The_newest_as_many_as_the_ledger_lists_stay_and_the_older_go()
    {
        var ids = Enumerable.Range(1, JournalRetention.NewestKept + 7).Select(Id).Reverse();

        var removed = JournalRetention.SelectForRemoval(ids, new AppRecord { App = "shop" }, onContainers: []);

        Assert.That(removed, Is.EqualTo(Enumerable.Range(1, 7).Select(Id)));
    }

    [Test]
    public void An_old_job_the_record_names_stays_for_a_rollback_and_a_rebuild()
    {
        var record = new AppRecord
        {
            App = "shop", Current = Deployment(200), Previous = Deployment(2), Deployments = [Deployment(3), Deployment(200)],
            Canary = new CanaryRecord(Deployment(4), 0.1, null),
        };

        var removed = JournalRetention.SelectForRemoval(Enumerable.Range(1, 200).Select(Id), record, onContainers: []);

        Assert.That(removed, Has.Count.EqualTo(200 - JournalRetention.NewestKept - 3));
        Assert.That(removed, Does.Not.Contain(Id(2)).And.Not.Contain(Id(3)).And.Not.Contain(Id(4)).And.Contain(Id(1)).And.Contain(Id(5)));
    }

    /// <summary>
    /// A rollback's containers carry the id of the job that made them, which the record does not name, and `retain` keeps more
    /// versions than the record lists: a lost state.json is rebuilt from those labels and the plans they name.
    /// </summary>
    [Test]
    public void An_old_job_a_container_still_carries_stays_for_a_rebuild()
    {
        var removed = JournalRetention.SelectForRemoval(Enumerable.Range(1, 200).Select(Id), new AppRecord { App = "shop" }, onContainers: [Id(7), ""]);

        Assert.That(removed, Has.Count.EqualTo(200 - JournalRetention.NewestKept - 1));
        Assert.That(removed, Does.Not.Contain(Id(7)).And.Contain(Id(6)));
    }

    [Test]
    public void An_old_job_the_ledger_lists_stays_for_attach()
    {
        var entry = new HistoryEntry(Id(9), "v9", DateTimeOffset.UtcNow, 1000, "succeeded", "tester", "v9", null);

        var removed = JournalRetention.SelectForRemoval(Enumerable.Range(1, 200).Select(Id), new AppRecord { App = "shop", History = [entry] }, onContainers: []);

        Assert.That(removed, Does.Not.Contain(Id(9)).And.Contain(Id(8)));
    }

    [Test]
    public void Without_a_record_nothing_goes_as_nothing_says_what_a_rebuild_needs()
    {
        Assert.That(JournalRetention.SelectForRemoval(Enumerable.Range(1, 200).Select(Id), record: null, onContainers: []), Is.Empty);
    }

    [Test]
    public async Task A_job_that_ends_removes_the_journals_and_plans_the_app_no_longer_needs()
    {
        using var world = new AgentWorld();
        var journals = world.State.JournalDirectory("shop");
        Directory.CreateDirectory(journals);
        foreach (var n in Enumerable.Range(1, JournalRetention.NewestKept + 10))
        {
            File.WriteAllText(world.State.JournalPath("shop", Id(n)), "{}\n");
            File.WriteAllText(world.State.PlanPath("shop", Id(n)), "{}");
        }
        world.State.Save(new AppRecord { App = "shop", Current = Deployment(1), Deployments = [Deployment(1)] });
        var jobs = new DeployJobs(world.Tools(), new Running(), NullLogger<DeployJobs>.Instance);

        var job = jobs.StartDeploy(world.App("v999"));
        await job.Completion;

        var kept = world.State.JournalIds("shop");
        Assert.That(kept, Has.Count.EqualTo(JournalRetention.NewestKept + 1), "the newest, the new job's among them, and the one the record named before it");
        Assert.That(kept, Does.Contain(job.Events.DeployId).And.Contain(Id(1)).And.Not.Contain(Id(2)).And.Not.Contain(Id(11)).And.Contain(Id(12)));
        Assert.That(Directory.GetFiles(journals, "*.plan.json"), Has.Length.EqualTo(kept.Count), "each plan went with its journal");
    }

    private sealed class Running : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }
}

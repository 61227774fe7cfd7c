using Podlift.Cli.Commands;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;

namespace Podlift.Tests.Unit;

/// <summary>Batches: `deploy --parallel N` or `rollout: { batch, wait }` split the servers, the primary first.</summary>
public class BatchRolloutTests
{
    private static readonly string[] Ten = Enumerable.Range(1, 10).Select(i => $"s{i}").ToArray();

    [TestCase(1, new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    [TestCase(3, new[] { 3, 3, 3, 1 })]
    [TestCase(10, new[] { 10 })]
    [TestCase(50, new[] { 10 })]
    public void A_count_takes_that_many_servers_per_batch(int servers, int[] sizes)
    {
        var batches = new BatchRollout(BatchSize.Count(servers), TimeSpan.Zero).Split(Ten);

        Assert.That(batches.Select(b => b.Count), Is.EqualTo(sizes));
        Assert.That(batches.SelectMany(b => b), Is.EqualTo(Ten), "every server once, in order: the primary in the first batch");
    }

    [TestCase(0.25, 10, new[] { 3, 3, 3, 1 })]
    [TestCase(0.5, 4, new[] { 2, 2 })]
    [TestCase(0.01, 3, new[] { 1, 1, 1 })]
    [TestCase(1.0, 3, new[] { 3 })]
    public void A_share_rounds_up_and_takes_at_least_one_server(double share, int servers, int[] sizes)
    {
        var batches = new BatchRollout(BatchSize.Of(share), TimeSpan.Zero).Split(Ten.Take(servers).ToList());

        Assert.That(batches.Select(b => b.Count), Is.EqualTo(sizes));
    }

    [Test]
    public void The_parallel_flag_with_a_number_is_a_batch_rollout_and_wins_over_podlift_yml()
    {
        var config = Config(servers: 4) with { Rollout = Rollout.Atomic };

        var options = new DeployOptions(false, false, Parallel: true, Batch: 2);

        Assert.That(options.RolloutFor(config), Is.EqualTo(Rollout.Batches));
        Assert.That(options.BatchesFor(config), Is.EqualTo(new BatchRollout(BatchSize.Count(2), TimeSpan.Zero)));
        Assert.That(new DeployOptions(false, false, Parallel: true).BatchesFor(config), Is.Null, "--parallel alone: every server at once");
    }

    [Test]
    public void Podlift_yml_batches_apply_without_a_flag()
    {
        var batches = new BatchRollout(BatchSize.Of(0.25), TimeSpan.FromSeconds(10));
        var config = Config(servers: 8) with { Rollout = Rollout.Batches, Batches = batches };

        Assert.That(new DeployOptions(false, false).RolloutFor(config), Is.EqualTo(Rollout.Batches));
        Assert.That(new DeployOptions(false, false).BatchesFor(config), Is.EqualTo(batches));
        Assert.That(new DeployOptions(false, false, Parallel: true).RolloutFor(config), Is.EqualTo(Rollout.Parallel), "a flag wins");
    }

    [TestCase(0)]
    [TestCase(-2)]
    public void A_batch_of_fewer_than_one_server_is_a_bad_flag_value(int batch)
    {
        var error = Assert.Throws<ConfigurationException>(() => new DeployOptions(false, false, Parallel: true, Batch: batch).RolloutFor(Config(servers: 3)))!;

        Assert.That(error.Message, Does.Contain($"--parallel {batch}"));
        Assert.That(error.Fix, Does.Contain("--parallel 2"));
    }

    [Test]
    public void Parallel_and_atomic_together_are_refused_rather_than_one_ignored()
    {
        var error = Assert.Throws<ConfigurationException>(() => new DeployOptions(false, false, Parallel: true, Atomic: true).RolloutFor(Config(servers: 3)))!;

        Assert.That(error.Message, Does.Contain("--parallel and --atomic"));
    }

    [Test]
    public void Verify_goes_with_batches_only_when_the_primary_is_alone_in_the_first()
    {
        var config = Config(servers: 4) with { Verify = new VerifyConfig(TimeSpan.FromSeconds(30), 0.01, 20) };

        Assert.That(new DeployOptions(false, false, Parallel: true, Batch: 1).RolloutFor(config), Is.EqualTo(Rollout.Batches));
        var error = Assert.Throws<ValidationException>(() => new DeployOptions(false, false, Parallel: true, Batch: 2).RolloutFor(config))!;
        Assert.That(error.Message, Does.Contain("needs a serial rollout, not batches of 2"));
    }

    private static PodliftConfig Config(int servers) => new()
    {
        App = "shop",
        Image = "shop",
        Servers = Enumerable.Range(1, servers).Select(i => new ServerConfig($"10.0.0.{i}", null, null, null, ["web"], [])).ToList(),
        Services = [new ServiceConfig { Name = "web", Port = 8000 }],
        SourcePath = "/project/podlift.yml",
    };
}

using Podlift.Agent.Deploy;
using Podlift.Agent.Plans;
using Podlift.Protocol;
using Podlift.Tests.Unit.Fakes;

namespace Podlift.Tests.Unit;

/// <summary>What a job plans on is read from Docker at once: a redeploy waits for the slowest answer, not for their sum.</summary>
public class SnapshotReaderTests
{
    [Test]
    public async Task The_containers_the_host_ports_and_the_image_are_asked_of_Docker_at_once()
    {
        using var world = new AgentWorld();
        var asked = new List<string>();
        var allAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // each read is held until all three are in flight: read one after another, the first waits until its 5 s run out
        world.Docker.BeforeRead = async what =>
        {
            lock (asked)
            {
                asked.Add(what);
                if (asked.Count == 3) allAsked.TrySetResult();
            }
            await allAsked.Task.WaitAsync(TimeSpan.FromSeconds(5));
        };
        var reader = new SnapshotReader(world.Docker, world.Nginx, world.State, world.Ports, _ => true);

        var (snapshot, _) = await reader.ReadAsync(world.App("aaa1111"), _ => 1, reserve: false, CancellationToken.None);

        Assert.That(asked, Is.EquivalentTo(new[] { "containers", "host ports", "image" }));
        Assert.That(snapshot.ImagePresent, Is.True);
        Assert.That(snapshot.FreePorts, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_read_that_fails_after_Docker_answered_holds_no_port()
    {
        using var world = new AgentWorld();
        var reader = new SnapshotReader(world.Docker, world.Nginx, world.State, world.Ports, _ => true);
        var plan = world.App("aaa1111");
        plan.Network = new NetworkPlan { Peers = { "peer.example" } }; // a name to resolve: the cancelled token fails it
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.That(async () => await reader.ReadAsync(plan, _ => 1, reserve: true, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());

        using var next = world.Ports.Reserve(1, new HashSet<int>(), _ => true);
        using var first = new PortReservations().Reserve(1, new HashSet<int>(), _ => true);
        Assert.That(next.Ports, Is.EqualTo(first.Ports), "the failed read left its port held");
    }
}

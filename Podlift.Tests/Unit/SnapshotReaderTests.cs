using Podlift.Agent.Plans;
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
        // each read is held until all three are in flight: read one after another, the first waits for ever
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
}

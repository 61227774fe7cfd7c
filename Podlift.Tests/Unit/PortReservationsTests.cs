using Podlift.Agent.Deploy;

namespace Podlift.Tests.Unit;

public class PortReservationsTests
{
    private static bool AllFree(int _) => true;

    [Test]
    public void Two_jobs_picking_at_once_never_get_the_same_port()
    {
        var reservations = new PortReservations();
        var bound = new HashSet<int> { PortAllocator.FirstPort };

        using var first = reservations.Reserve(2, bound, AllFree);
        using var second = reservations.Reserve(2, bound, AllFree); // Docker still reports only the one port: neither job created its containers yet

        Assert.That(first.Ports.Intersect(second.Ports), Is.Empty);
        Assert.That(first.Ports.Concat(second.Ports), Does.Not.Contain(PortAllocator.FirstPort));
    }

    [Test]
    public void Ports_go_back_when_the_lease_ends()
    {
        var reservations = new PortReservations();
        var first = reservations.Reserve(1, new HashSet<int>(), AllFree);
        var port = first.Ports[0];
        first.Dispose();
        first.Dispose(); // twice is harmless

        using var again = reservations.Reserve(1, new HashSet<int>(), AllFree);

        Assert.That(again.Ports, Is.EqualTo(new[] { port }));
    }

    [Test]
    public async Task Concurrent_reservations_are_all_distinct()
    {
        var reservations = new PortReservations();
        var leases = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => reservations.Reserve(3, new HashSet<int>(), AllFree))));

        Assert.That(leases.SelectMany(l => l.Ports).Distinct().Count(), Is.EqualTo(120));
        foreach (var lease in leases) lease.Dispose();
    }
}

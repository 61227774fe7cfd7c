using NUnit.Framework;
using Podlift.Agent.Deploy;

namespace Podlift.Tests.Unit;

public class PortAllocatorTests
{
    private static readonly IReadOnlySet<int> NoneBound = new HashSet<int>();

    [Test]
    public void Allocates_from_the_first_port_upwards()
    {
        Assert.That(PortAllocator.Allocate(3, NoneBound, _ => true), Is.EqualTo(new[] { 20000, 20001, 20002 }));
    }

    [Test]
    public void Skips_ports_bound_by_containers_even_when_they_look_free()
    {
        var bound = new HashSet<int> { 20000, 20002 };

        Assert.That(PortAllocator.Allocate(2, bound, _ => true), Is.EqualTo(new[] { 20001, 20003 }));
    }

    [Test]
    public void Skips_ports_something_else_listens_on()
    {
        Assert.That(PortAllocator.Allocate(2, NoneBound, port => port % 2 == 1), Is.EqualTo(new[] { 20001, 20003 }));
    }

    [Test]
    public void Stays_within_the_range()
    {
        var ports = PortAllocator.Allocate(2, new HashSet<int> { 100 }, _ => true, first: 100, last: 102);

        Assert.That(ports, Is.EqualTo(new[] { 101, 102 }));
    }

    [Test]
    public void Throws_when_the_range_is_exhausted()
    {
        Assert.That(() => PortAllocator.Allocate(3, new HashSet<int> { 101 }, _ => true, first: 100, last: 102),
            Throws.InvalidOperationException.With.Message.Contains("no free host port left in 100-102 for 3 new containers"));
    }

    [Test]
    public void Does_not_probe_ports_it_knows_are_bound()
    {
        var probed = new List<int>();

        PortAllocator.Allocate(1, new HashSet<int> { 20000 }, port => { probed.Add(port); return true; });

        Assert.That(probed, Is.EqualTo(new[] { 20001 }));
    }
}

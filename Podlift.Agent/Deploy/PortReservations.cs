namespace Podlift.Agent.Deploy;

/// <summary>
/// Host ports picked for containers not created yet. Docker reports a port as bound only once its
/// container exists, so two jobs (two apps deploying at once) that pick at the same time would pick
/// the same free ports; a reservation holds them until its job has created its containers.
/// </summary>
public sealed class PortReservations
{
    private readonly object _gate = new();
    private readonly HashSet<int> _reserved = [];

    public sealed class Lease : IDisposable
    {
        private readonly PortReservations _owner;
        private bool _released;

        internal Lease(PortReservations owner, IReadOnlyList<int> ports)
        {
            _owner = owner;
            Ports = ports;
        }

        public IReadOnlyList<int> Ports { get; }

        public void Dispose()
        {
            if (_released) return;
            _released = true;
            lock (_owner._gate) _owner._reserved.ExceptWith(Ports);
        }
    }

    /// <summary>Picks <paramref name="count"/> ports no container has bound and no other job holds, and holds them.</summary>
    public Lease Reserve(int count, IReadOnlySet<int> boundByContainers, Func<int, bool> isFree)
    {
        lock (_gate)
        {
            var ports = PortAllocator.Allocate(count, boundByContainers.Union(_reserved).ToHashSet(), isFree);
            _reserved.UnionWith(ports);
            return new Lease(this, ports);
        }
    }
}

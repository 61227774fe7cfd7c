using System.Net;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Machine;
using Podlift.Agent.Proxy;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Plans;

/// <summary>Reads the <see cref="ServerSnapshot"/> a job plans on: Docker, nginx's site, state.json, DNS for the other servers.</summary>
public sealed class SnapshotReader(IContainerRuntime runtime, IReverseProxy proxy, StateStore state, PortReservations ports, Func<int, bool>? isPortFree = null)
{
    private readonly Func<int, bool> _isPortFree = isPortFree ?? PortProbe.IsFree;

    /// <summary>
    /// The snapshot for a plan that creates <paramref name="portsNeeded"/> (of the app's containers) containers with
    /// host ports. With <paramref name="reserve"/>, those ports are held (the lease) until the job has created its
    /// containers, so a job of another app planning meanwhile does not pick them.
    /// </summary>
    public async Task<(ServerSnapshot Snapshot, PortReservations.Lease? Lease)> ReadAsync(DeployPlan plan, Func<IReadOnlyList<AppContainer>, int> portsNeeded,
        bool reserve, CancellationToken cancellationToken)
    {
        // Docker answers these independently: asked at once, a redeploy waits for the slowest, not for their sum
        var listing = runtime.ListAppContainersAsync(plan.App, cancellationToken);
        var binding = runtime.HostPortsBoundAsync(cancellationToken);
        var inspecting = runtime.InspectImageAsync(plan.Image, cancellationToken);
        var listingDependencies = plan.Dependencies.Count > 0 ? runtime.ListDependenciesAsync(plan.App, cancellationToken) : null;
        await Task.WhenAll(listing, binding, inspecting, listingDependencies ?? Task.CompletedTask);
        var containers = await listing;
        var (record, _) = state.LoadOrRebuild(plan.App, containers);
        var bound = await binding;
        var needed = portsNeeded(containers);
        var network = plan.Network ?? new NetworkPlan();
        // resolved before the ports are held: a name that does not resolve fails the read with no lease left taken
        var peers = await ResolveAllAsync(network.Peers, cancellationToken);
        var primaryAddress = network.PrimaryAddress.Length > 0 ? (await HostAddresses.ResolveAsync(network.PrimaryAddress, cancellationToken)).ToString() : null;
        var dependencyAddresses = await ResolveAllAsync(network.DependencyHosts, cancellationToken);
        var lease = reserve ? ports.Reserve(needed, bound, _isPortFree) : null;
        var snapshot = new ServerSnapshot
        {
            App = plan.App,
            Record = record,
            Containers = containers,
            Dependencies = listingDependencies is null ? [] : await listingDependencies,
            RoutedBackends = proxy.RoutedBackends(plan.App),
            SiteConflict = proxy.ConflictWith(plan.App, ProxyDefaults.Domains(plan.Proxy)),
            ImagePresent = await inspecting is not null,
            FreePorts = lease?.Ports ?? PortAllocator.Allocate(needed, bound, _isPortFree),
            Peers = peers,
            PrimaryAddress = primaryAddress,
            DependencyAddresses = dependencyAddresses,
        };
        return (snapshot, lease);
    }

    private static async Task<IReadOnlyList<IPAddress>> ResolveAllAsync(IEnumerable<string> hosts, CancellationToken cancellationToken)
    {
        var addresses = new List<IPAddress>();
        foreach (var host in hosts) addresses.Add(await HostAddresses.ResolveAsync(host, cancellationToken));
        return addresses;
    }

    private static async Task<IReadOnlyDictionary<string, string>> ResolveAllAsync(IDictionary<string, string> hosts, CancellationToken cancellationToken)
    {
        var addresses = new Dictionary<string, string>();
        foreach (var (name, host) in hosts) addresses[name] = (await HostAddresses.ResolveAsync(host, cancellationToken)).ToString();
        return addresses;
    }
}

/// <summary>Whether something on this server already listens on a port (Docker's own bindings aside).</summary>
public static class PortProbe
{
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Proxy;

/// <summary>
/// The backends of each app's upstream on this server, per server that contributes them (this server's
/// own under <see cref="Local"/>; on the primary, the other servers' too), persisted beside state.json,
/// and the per-app lock every rewrite of the app's nginx config takes: a local deploy and another
/// server's SetUpstream can arrive at the same time, and each must render what the other set.
/// </summary>
public sealed class UpstreamRegistry(StateStore store)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    public const string Local = "";

    private sealed record Entry(string Server, string Address, int Port, string Name);

    public async Task<T> WithLockAsync<T>(string app, Func<Task<T>> body, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(app, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try { return await body(); }
        finally { gate.Release(); }
    }

    /// <summary>Every backend of the app's upstream: this server's first, then the other servers'.</summary>
    public IReadOnlyList<UpstreamServer> Backends(string app) =>
        Load(app).OrderBy(e => e.Server != Local).Select(e => new UpstreamServer(e.Address, e.Port, e.Server == Local ? e.Name : $"{e.Name} on {e.Server}")).ToList();

    /// <summary>Replaces one server's backends (<see cref="Local"/> for this server's); returns the ones it replaced.</summary>
    public IReadOnlyList<UpstreamServer> Replace(string app, string server, IEnumerable<UpstreamServer> backends)
    {
        var entries = Load(app);
        var replaced = entries.Where(e => e.Server == server).Select(e => new UpstreamServer(e.Address, e.Port, e.Name)).ToList();
        var updated = entries.Where(e => e.Server != server)
            .Concat(backends.Select(b => new Entry(server, b.Address, b.Port, b.Comment)))
            .OrderBy(e => e.Server, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();
        Save(app, updated);
        return replaced;
    }

    /// <summary>The canary beside the app's upstream; null: none serves. Every rewrite of the site renders it.</summary>
    public CanarySplit? Canary(string app)
    {
        try { return JsonSerializer.Deserialize<CanarySplit>(File.ReadAllText(store.CanaryUpstreamPath(app))); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException) { return null; }
    }

    /// <summary>Sets (or, null, ends) the app's canary; returns the one it replaced.</summary>
    public CanarySplit? SetCanary(string app, CanarySplit? canary)
    {
        var before = Canary(app);
        if (canary is null) File.Delete(store.CanaryUpstreamPath(app));
        else AtomicFile.Write(store.CanaryUpstreamPath(app), JsonSerializer.Serialize(canary));
        return before;
    }

    private string PathOf(string app) => store.UpstreamsPath(app);

    private List<Entry> Load(string app)
    {
        try { return JsonSerializer.Deserialize<List<Entry>>(File.ReadAllText(PathOf(app))) ?? []; }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException) { return []; }
    }

    private void Save(string app, List<Entry> entries) => AtomicFile.Write(PathOf(app), JsonSerializer.Serialize(entries));
}

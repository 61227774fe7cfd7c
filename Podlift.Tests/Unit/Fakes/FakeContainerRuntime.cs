using Podlift.Agent.Docker;

namespace Podlift.Tests.Unit.Fakes;

/// <summary>
/// An in-memory Docker: containers made from specs (names unique, as Docker keeps them), started, stopped,
/// renamed and removed; images by name. A test scripts failures by container name: creation that throws,
/// a container that exits right after it starts, a one-off container's exit code.
/// </summary>
internal sealed class FakeContainerRuntime : IContainerRuntime
{
    private int _nextId;

    public sealed class Container(string id, ContainerSpec spec)
    {
        public string Id { get; } = id;
        public string Name { get; set; } = spec.Name;
        public ContainerSpec Spec { get; } = spec;
        public bool Running { get; set; }
        public long ExitCode { get; set; }
        public DateTimeOffset StartedAt { get; set; } = DateTimeOffset.UtcNow;
        public List<string> Log { get; } = [];
    }

    public List<Container> Containers { get; } = [];
    public HashSet<string> Images { get; } = [];
    public List<string> Calls { get; } = [];
    /// <summary>Container name → the exception its creation throws.</summary>
    public Dictionary<string, Exception> FailCreate { get; } = [];
    /// <summary>Container name → the exit code it stops with as soon as it starts.</summary>
    public Dictionary<string, long> ExitOnStart { get; } = [];

    /// <summary>Awaited before each read a job plans on (containers, host ports, an image, dependencies), with its name: a test holds reads here.</summary>
    public Func<string, Task>? BeforeRead { get; set; }

    private async Task<T> ReadAsync<T>(string what, Func<T> read)
    {
        if (BeforeRead is { } hook) await hook(what);
        return read();
    }

    public Container? ByName(string name) => Containers.FirstOrDefault(c => c.Name == name);

    public Container Add(ContainerSpec spec, bool running = true)
    {
        var container = new Container($"{++_nextId:x4}{new string('0', 60)}", spec) { Running = running };
        Containers.Add(container);
        return container;
    }

    private Container Find(string idOrName) =>
        Containers.FirstOrDefault(c => c.Id == idOrName || c.Name == idOrName) ?? throw new InvalidOperationException($"no container {idOrName}");

    public Task<ImageInfo?> InspectImageAsync(string image, CancellationToken cancellationToken) =>
        ReadAsync("image", () => Images.Contains(image) ? new ImageInfo($"sha256:{image}", 1000) : null);

    public Task<IReadOnlyList<AppContainer>> ListAppContainersAsync(string? app, CancellationToken cancellationToken) =>
        ReadAsync("containers", () => (IReadOnlyList<AppContainer>)Containers
            .Where(c => c.Spec.Labels.TryGetValue(PodliftLabels.App, out var owner) && (app is null || owner == app))
            .Select(ToAppContainer).ToList());

    public Task<IReadOnlyList<DependencyContainer>> ListDependenciesAsync(string app, CancellationToken cancellationToken) =>
        ReadAsync("dependencies", () => (IReadOnlyList<DependencyContainer>)Containers
            .Where(c => c.Spec.Labels.GetValueOrDefault(PodliftLabels.DependencyOf) == app)
            .Select(c => new DependencyContainer(c.Id, c.Name, c.Spec.Labels[PodliftLabels.Dependency], c.Spec.Labels[PodliftLabels.ConfigHash],
                c.Running, "none", c.Spec.Image, c.StartedAt)).ToList());

    public Task<string> CreateAndStartAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        Calls.Add($"create {spec.Name}");
        if (FailCreate.TryGetValue(spec.Name, out var failure)) throw failure;
        if (ByName(spec.Name) is not null) throw new InvalidOperationException($"Conflict. The container name \"/{spec.Name}\" is already in use");
        var container = Add(spec);
        if (ExitOnStart.TryGetValue(spec.Name, out var code)) (container.Running, container.ExitCode) = (false, code);
        return Task.FromResult(container.Id);
    }

    public Task StartAsync(string id, CancellationToken cancellationToken)
    {
        var container = Find(id);
        Calls.Add($"start {container.Name}");
        container.Running = true;
        container.StartedAt = DateTimeOffset.UtcNow;
        return Task.CompletedTask;
    }

    public Task StopAsync(string id, TimeSpan grace, CancellationToken cancellationToken)
    {
        var container = Find(id);
        Calls.Add($"stop {container.Name}");
        container.Running = false;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var container = Containers.FirstOrDefault(c => c.Id == id || c.Name == id);
        if (container is null) return Task.CompletedTask;
        Calls.Add($"remove {container.Name}");
        Containers.Remove(container);
        return Task.CompletedTask;
    }

    public Task RenameAsync(string id, string newName, CancellationToken cancellationToken)
    {
        var container = Find(id);
        if (ByName(newName) is { } holder && holder != container) throw new InvalidOperationException($"Conflict. The name \"/{newName}\" is already in use");
        Calls.Add($"rename {container.Name} {newName}");
        container.Name = newName;
        return Task.CompletedTask;
    }

    public Task<ContainerStatus> StatusAsync(string id, CancellationToken cancellationToken)
    {
        var container = Find(id);
        return Task.FromResult(new ContainerStatus(container.Running, container.ExitCode, container.Running ? "running" : "exited"));
    }

    public Task<long> WaitForExitAsync(string id, CancellationToken cancellationToken)
    {
        var container = Find(id);
        container.Running = false;
        return Task.FromResult(container.ExitCode);
    }

    public Task<IReadOnlyList<string>> TailLogAsync(string id, int lines, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(Find(id).Log.TakeLast(lines).ToList());

    public Task<string> EnsureNetworkAsync(string name, CancellationToken cancellationToken) => Task.FromResult("172.18.0.1");

    public Task<IReadOnlySet<int>> HostPortsBoundAsync(CancellationToken cancellationToken) =>
        ReadAsync("host ports", () => (IReadOnlySet<int>)Containers.Select(c => c.Spec.HostPort).Where(p => p > 0).ToHashSet());

    public Task RemoveImageAsync(string image, CancellationToken cancellationToken)
    {
        Images.Remove(image);
        return Task.CompletedTask;
    }

    /// <summary>Docker's ping; one that never completes is a daemon that hangs.</summary>
    public Func<CancellationToken, Task> Ping { get; set; } = _ => Task.CompletedTask;

    /// <summary>What `docker load` does with the stream it is given (by default it is not supported).</summary>
    public Func<Stream, CancellationToken, Task<ImageInfo>>? Load { get; set; }

    public Task PingAsync(CancellationToken cancellationToken) => Ping(cancellationToken);
    public Task<ImageInfo> LoadImageAsync(Stream saveStream, string expectedImage, CancellationToken cancellationToken) =>
        Load is { } load ? load(saveStream, cancellationToken) : throw new NotSupportedException();
    public Task PullImageAsync(string reference, RegistryAuth? auth, Action<PullMessage> onProgress, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task TagImageAsync(string image, string newReference, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<bool> UsesContainerdImageStoreAsync(CancellationToken cancellationToken) => Task.FromResult(false);
    public Task<IReadOnlyList<IReadOnlyList<string>>> ImageLayersAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    private static AppContainer ToAppContainer(Container c)
    {
        string Label(string key) => c.Spec.Labels.GetValueOrDefault(key, "");
        return new AppContainer(c.Id, c.Name, Label(PodliftLabels.App), Label(PodliftLabels.Service), Label(PodliftLabels.Version),
            int.TryParse(Label(PodliftLabels.Replica), out var replica) ? replica : 0, c.Running ? "running" : "exited", c.Spec.HostPort,
            DateTimeOffset.TryParse(Label(PodliftLabels.DeployedAt), out var at) ? at : null, Label(PodliftLabels.DeployedBy), "none",
            c.StartedAt, Label(PodliftLabels.DeployId));
    }
}

namespace Podlift.Agent.Docker;

/// <summary>
/// The container runtime with every call watched (<see cref="DockerWatch"/>): a call that takes long while Docker no
/// longer answers pings ends in DockerRefused, naming what Docker was doing, instead of after Docker.DotNet's 100 s
/// (and a job makes several). A load and a pull pass through: their receivers watch them with their progress.
/// </summary>
public sealed class WatchedRuntime(IContainerRuntime inner, DockerWatch watch) : IContainerRuntime
{
    public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public Task<ImageInfo> LoadImageAsync(Stream saveStream, string expectedImage, CancellationToken cancellationToken) =>
        inner.LoadImageAsync(saveStream, expectedImage, cancellationToken);

    public Task PullImageAsync(string reference, RegistryAuth? auth, Action<PullMessage> onProgress, CancellationToken cancellationToken) =>
        inner.PullImageAsync(reference, auth, onProgress, cancellationToken);

    public Task<ImageInfo?> InspectImageAsync(string image, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.InspectImageAsync(image, token), $"inspected the image {image}", cancellationToken);

    public Task TagImageAsync(string image, string newReference, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.TagImageAsync(image, newReference, token), $"tagged the image {image}", cancellationToken);

    public Task<bool> UsesContainerdImageStoreAsync(CancellationToken cancellationToken) =>
        watch.GuardAsync(inner.UsesContainerdImageStoreAsync, "reported its image store", cancellationToken);

    public Task<IReadOnlyList<IReadOnlyList<string>>> ImageLayersAsync(CancellationToken cancellationToken) =>
        watch.GuardAsync(inner.ImageLayersAsync, "listed its images' layers", cancellationToken);

    public Task<IReadOnlyList<AppContainer>> ListAppContainersAsync(string? app, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.ListAppContainersAsync(app, token), "listed the app's containers", cancellationToken);

    public Task<IReadOnlyList<DependencyContainer>> ListDependenciesAsync(string app, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.ListDependenciesAsync(app, token), "listed the app's dependencies", cancellationToken);

    public Task<string> EnsureNetworkAsync(string name, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.EnsureNetworkAsync(name, token), $"set up the network {name}", cancellationToken);

    public Task StartAsync(string id, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.StartAsync(id, token), "started a container", cancellationToken);

    public Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.RemoveImageAsync(image, token), $"removed the image {image}", cancellationToken);

    public Task<IReadOnlySet<int>> HostPortsBoundAsync(CancellationToken cancellationToken) =>
        watch.GuardAsync(inner.HostPortsBoundAsync, "listed the ports its containers publish", cancellationToken);

    public Task<string> CreateAndStartAsync(ContainerSpec spec, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.CreateAndStartAsync(spec, token), $"created and started {spec.Name}", cancellationToken);

    public Task<ContainerStatus> StatusAsync(string id, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.StatusAsync(id, token), "inspected a container", cancellationToken);

    public Task<long> WaitForExitAsync(string id, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.WaitForExitAsync(id, token), "waited for a container to exit", cancellationToken);

    public Task StopAsync(string id, TimeSpan grace, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.StopAsync(id, grace, token), "stopped a container", cancellationToken);

    public Task RemoveAsync(string id, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.RemoveAsync(id, token), "removed a container", cancellationToken);

    public Task RenameAsync(string id, string newName, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.RenameAsync(id, newName, token), $"renamed a container to {newName}", cancellationToken);

    public Task<IReadOnlyList<string>> TailLogAsync(string id, int lines, CancellationToken cancellationToken) =>
        watch.GuardAsync(token => inner.TailLogAsync(id, lines, token), "read a container's log", cancellationToken);
}

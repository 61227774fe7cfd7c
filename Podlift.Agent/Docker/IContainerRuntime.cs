namespace Podlift.Agent.Docker;

/// <summary>A container podlift started, as Docker reports it now.</summary>
public sealed record AppContainer(
    string Id, string Name, string App, string Service, string Version, int Replica,
    string State, int HostPort, DateTimeOffset? DeployedAt, string DeployedBy, string Health, DateTimeOffset? StartedAt)
{
    public bool IsRunning => State == "running";
}

public sealed record ContainerSpec(
    string Name, string Image, IReadOnlyDictionary<string, string> Env, IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Labels, int ContainerPort, int HostPort, string BindAddress);

public sealed record ContainerStatus(bool Running, long ExitCode, string State);

public sealed record ImageInfo(string Id, long SizeBytes);

/// <summary>The narrow slice of Docker a deploy needs. The real one is <see cref="DockerEngine"/>.</summary>
public interface IContainerRuntime
{
    Task<ImageInfo?> InspectImageAsync(string image, CancellationToken cancellationToken);
    Task<ImageInfo> LoadImageAsync(Stream saveStream, string expectedImage, CancellationToken cancellationToken);
    Task<IReadOnlyList<AppContainer>> ListAppContainersAsync(string? app, CancellationToken cancellationToken);
    Task<IReadOnlySet<int>> HostPortsBoundAsync(CancellationToken cancellationToken);
    Task<string> CreateAndStartAsync(ContainerSpec spec, CancellationToken cancellationToken);
    Task<ContainerStatus> StatusAsync(string id, CancellationToken cancellationToken);
    Task StopAsync(string id, TimeSpan grace, CancellationToken cancellationToken);
    Task RemoveAsync(string id, CancellationToken cancellationToken);
    Task RenameAsync(string id, string newName, CancellationToken cancellationToken);
    Task<IReadOnlyList<string>> TailLogAsync(string id, int lines, CancellationToken cancellationToken);
}

namespace Podlift.Agent.Docker;

/// <summary>A container podlift started, as Docker reports it now.</summary>
public sealed record AppContainer(
    string Id, string Name, string App, string Service, string Version, int Replica,
    string State, int HostPort, DateTimeOffset? DeployedAt, string DeployedBy, string Health, DateTimeOffset? StartedAt,
    string DeployId = "")
{
    public bool IsRunning => State == "running";
}

public sealed record ContainerSpec(
    string Name, string Image, IReadOnlyDictionary<string, string> Env, IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Labels, int ContainerPort, int HostPort, string BindAddress)
{
    public string? Network { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>host:address entries for /etc/hosts, such as primary:10.0.0.1.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];
    public IReadOnlyList<string> Volumes { get; init; } = [];
    public long MemoryBytes { get; init; }
    public double Cpus { get; init; }
    public string Restart { get; init; } = "unless-stopped";
}

/// <summary>A Docker HEALTHCHECK baked into an image.</summary>
public sealed record ImageHealthcheck(TimeSpan Interval, TimeSpan StartPeriod, int Retries);

public sealed record ContainerStatus(bool Running, long ExitCode, string State, string Health = "none");

/// <summary>A dependency (postgres, redis...) container of an app, with the hash of the config that made it.</summary>
public sealed record DependencyContainer(string Id, string Name, string Dependency, string ConfigHash, bool Running, string Health,
    string Image = "", DateTimeOffset? StartedAt = null);

public sealed record ImageInfo(string Id, long SizeBytes, ImageHealthcheck? Healthcheck = null);

/// <summary>A registry login for one pull. Its text form leaves the password out, so a log line can never carry it.</summary>
public sealed record RegistryAuth(string Server, string Username, string Password)
{
    public override string ToString() => $"{Username}@{Server}";
}

/// <summary>One line of Docker's pull progress: a layer (by short id) and where it stands.</summary>
public sealed record PullMessage(string? Id, string? Status, long Current, long Total);

/// <summary>The narrow slice of Docker a deploy needs. The real one is <see cref="DockerEngine"/>.</summary>
public interface IContainerRuntime
{
    Task<ImageInfo?> InspectImageAsync(string image, CancellationToken cancellationToken);
    /// <summary>Docker's /_ping: it runs nothing, so it answers unless the daemon hangs.</summary>
    Task PingAsync(CancellationToken cancellationToken);
    Task<ImageInfo> LoadImageAsync(Stream saveStream, string expectedImage, CancellationToken cancellationToken);
    /// <summary>Pulls reference (registry/name:tag); a registry error (refused login, unknown tag) is an <see cref="InvalidOperationException"/>.</summary>
    Task PullImageAsync(string reference, RegistryAuth? auth, Action<PullMessage> onProgress, CancellationToken cancellationToken);
    Task TagImageAsync(string image, string newReference, CancellationToken cancellationToken);
    /// <summary>Docker keeps images in containerd's image store (the containerd snapshotter) rather than its classic layer store.</summary>
    Task<bool> UsesContainerdImageStoreAsync(CancellationToken cancellationToken);
    /// <summary>The layer diff ids (bottom first) of every image on the server.</summary>
    Task<IReadOnlyList<IReadOnlyList<string>>> ImageLayersAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<AppContainer>> ListAppContainersAsync(string? app, CancellationToken cancellationToken);
    Task<IReadOnlyList<DependencyContainer>> ListDependenciesAsync(string app, CancellationToken cancellationToken);
    /// <summary>Creates the app's bridge network if needed and returns its gateway address (the host, as seen from it).</summary>
    Task<string> EnsureNetworkAsync(string name, CancellationToken cancellationToken);
    Task StartAsync(string id, CancellationToken cancellationToken);
    Task RemoveImageAsync(string image, CancellationToken cancellationToken);
    Task<IReadOnlySet<int>> HostPortsBoundAsync(CancellationToken cancellationToken);
    Task<string> CreateAndStartAsync(ContainerSpec spec, CancellationToken cancellationToken);
    Task<ContainerStatus> StatusAsync(string id, CancellationToken cancellationToken);
    /// <summary>Waits until the container exits; returns its exit code.</summary>
    Task<long> WaitForExitAsync(string id, CancellationToken cancellationToken);
    Task StopAsync(string id, TimeSpan grace, CancellationToken cancellationToken);
    /// <summary>Removes the container (by id or name), running or not; one that is not there is no error.</summary>
    Task RemoveAsync(string id, CancellationToken cancellationToken);
    Task RenameAsync(string id, string newName, CancellationToken cancellationToken);
    Task<IReadOnlyList<string>> TailLogAsync(string id, int lines, CancellationToken cancellationToken);
}

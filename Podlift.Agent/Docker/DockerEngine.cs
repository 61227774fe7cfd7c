using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Podlift.Agent.Docker;

/// <summary>
/// Docker Engine through Docker.DotNet on the local socket. No API version is pinned, so every request
/// speaks the daemon's own version: engines 20.10 (API 1.41) to 28 are all served.
/// </summary>
public sealed class DockerEngine(DockerClient client) : IContainerRuntime, IDisposable
{
    public static DockerEngine Local() =>
        new(new DockerClientConfiguration(new Uri("unix:///var/run/docker.sock")).CreateClient());

    public Task<VersionResponse> VersionAsync(CancellationToken cancellationToken) => client.System.GetVersionAsync(cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => client.System.PingAsync(cancellationToken);

    public async Task<ImageInfo?> InspectImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            var inspected = await client.Images.InspectImageAsync(image, cancellationToken);
            var test = inspected.Config?.Healthcheck?.Test;
            var healthcheck = test is { Count: > 0 } && test[0] != "NONE"
                ? new ImageHealthcheck(
                    inspected.Config!.Healthcheck.Interval > TimeSpan.Zero ? inspected.Config.Healthcheck.Interval : TimeSpan.FromSeconds(30),
                    inspected.Config.Healthcheck.StartPeriod > 0 ? TimeSpan.FromTicks(inspected.Config.Healthcheck.StartPeriod / 100) : TimeSpan.Zero,
                    inspected.Config.Healthcheck.Retries > 0 ? (int)inspected.Config.Healthcheck.Retries : 3)
                : null;
            return new ImageInfo(inspected.ID, inspected.Size, healthcheck);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    public async Task<ImageInfo> LoadImageAsync(Stream saveStream, string expectedImage, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        await client.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, saveStream, new ErrorCollector(errors), cancellationToken);
        if (errors.Count > 0) throw new InvalidOperationException($"docker load failed: {string.Join("; ", errors)}");
        return await InspectImageAsync(expectedImage, cancellationToken)
               ?? throw new InvalidOperationException($"docker load finished but {expectedImage} is not there: the stream held another image");
    }

    public async Task PullImageAsync(string reference, RegistryAuth? auth, Action<PullMessage> onProgress, CancellationToken cancellationToken)
    {
        var (repository, tag) = Podlift.Protocol.ImageReference.Split(reference);
        var errors = new List<string>();
        var progress = new ErrorCollector(errors, message => onProgress(
            new PullMessage(message.ID, message.Status, message.Progress?.Current ?? 0, message.Progress?.Total ?? 0)));
        var login = auth is null ? new AuthConfig() : new AuthConfig { ServerAddress = auth.Server, Username = auth.Username, Password = auth.Password };
        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = repository, Tag = tag }, login, progress, cancellationToken);
        }
        catch (DockerApiException e)
        {
            throw new InvalidOperationException(e.ResponseBody is { Length: > 0 } body ? DockerMessage(body) : e.Message);
        }
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("; ", errors));
    }

    public Task TagImageAsync(string image, string newReference, CancellationToken cancellationToken)
    {
        var (repository, tag) = Podlift.Protocol.ImageReference.Split(newReference);
        return client.Images.TagImageAsync(image, new ImageTagParameters { RepositoryName = repository, Tag = tag, Force = true }, cancellationToken);
    }

    /// <summary>The "message" of Docker's JSON error body, else the body.</summary>
    private static string DockerMessage(string body)
    {
        try
        {
            return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("message").GetString() ?? body;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return body.Trim();
        }
    }

    /// <summary>
    /// Docker's progress messages, handled as they are read. Progress&lt;T&gt; would post them to the thread pool,
    /// where an error could arrive after the call has returned.
    /// </summary>
    private sealed class ErrorCollector(List<string> errors, Action<JSONMessage>? onMessage = null) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value)
        {
            if (!string.IsNullOrEmpty(value.ErrorMessage)) errors.Add(value.ErrorMessage);
            else onMessage?.Invoke(value);
        }
    }

    public async Task<bool> UsesContainerdImageStoreAsync(CancellationToken cancellationToken)
    {
        var info = await client.System.GetSystemInfoAsync(cancellationToken);
        return info.DriverStatus?.Any(pair => pair is [_, "io.containerd.snapshotter.v1"]) == true;
    }

    public async Task<IReadOnlyList<IReadOnlyList<string>>> ImageLayersAsync(CancellationToken cancellationToken)
    {
        var images = await client.Images.ListImagesAsync(new ImagesListParameters { All = false }, cancellationToken);
        var layers = new List<IReadOnlyList<string>>(images.Count);
        foreach (var image in images)
        {
            try
            {
                var inspected = await client.Images.InspectImageAsync(image.ID, cancellationToken);
                if (inspected.RootFS?.Layers is { Count: > 0 } diffIds) layers.Add(diffIds.ToList());
            }
            catch (DockerImageNotFoundException) { } // removed meanwhile
        }
        return layers;
    }

    public async Task<IReadOnlyList<AppContainer>> ListAppContainersAsync(string? app, CancellationToken cancellationToken)
    {
        var label = app is null ? PodliftLabels.App : $"{PodliftLabels.App}={app}";
        var listed = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
        }, cancellationToken);

        var containers = new List<AppContainer>(listed.Count);
        foreach (var item in listed)
        {
            ContainerInspectResponse inspected;
            try { inspected = await client.Containers.InspectContainerAsync(item.ID, cancellationToken); }
            catch (DockerContainerNotFoundException) { continue; }
            containers.Add(ToAppContainer(inspected));
        }
        return containers;
    }

    public async Task<IReadOnlySet<int>> HostPortsBoundAsync(CancellationToken cancellationToken)
    {
        var ports = new HashSet<int>();
        var listed = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, cancellationToken);
        foreach (var item in listed)
        {
            ContainerInspectResponse inspected;
            try { inspected = await client.Containers.InspectContainerAsync(item.ID, cancellationToken); }
            catch (DockerContainerNotFoundException) { continue; }
            foreach (var binding in inspected.HostConfig?.PortBindings?.Values.SelectMany(b => b ?? []) ?? [])
                if (int.TryParse(binding.HostPort, out var port)) ports.Add(port);
        }
        return ports;
    }

    public async Task<string> CreateAndStartAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        var portKey = $"{spec.ContainerPort}/tcp";
        var parameters = new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Env = spec.Env.Select(pair => $"{pair.Key}={pair.Value}").ToList(),
            Labels = new Dictionary<string, string>(spec.Labels),
            HostConfig = new HostConfig
            {
                RestartPolicy = RestartPolicyFor(spec.Restart),
                Binds = spec.Volumes.ToList(),
                ExtraHosts = spec.ExtraHosts.ToList(),
                Memory = spec.MemoryBytes,
                NanoCPUs = (long)(spec.Cpus * 1_000_000_000),
                NetworkMode = spec.Network,
            },
        };
        if (spec.Network is not null)
            parameters.NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings> { [spec.Network] = new() { Aliases = spec.Aliases.ToList() } },
            };
        if (spec.Command.Count > 0) parameters.Cmd = spec.Command.ToList();
        if (spec.ContainerPort > 0)
        {
            parameters.ExposedPorts = new Dictionary<string, EmptyStruct> { [portKey] = default };
            parameters.HostConfig.PortBindings = new Dictionary<string, IList<PortBinding>>
            {
                [portKey] = [new PortBinding { HostIP = spec.BindAddress, HostPort = spec.HostPort.ToString(CultureInfo.InvariantCulture) }],
            };
        }

        var created = await client.Containers.CreateContainerAsync(parameters, cancellationToken);
        await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        return created.ID;
    }

    public async Task<ContainerStatus> StatusAsync(string id, CancellationToken cancellationToken)
    {
        var inspected = await client.Containers.InspectContainerAsync(id, cancellationToken);
        return new ContainerStatus(inspected.State.Running, inspected.State.ExitCode, inspected.State.Status, inspected.State.Health?.Status ?? "none");
    }

    public async Task<long> WaitForExitAsync(string id, CancellationToken cancellationToken) =>
        (await client.Containers.WaitContainerAsync(id, cancellationToken)).StatusCode;

    public Task StartAsync(string id, CancellationToken cancellationToken) =>
        client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);

    public async Task<IReadOnlyList<DependencyContainer>> ListDependenciesAsync(string app, CancellationToken cancellationToken)
    {
        var listed = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{PodliftLabels.DependencyOf}={app}"] = true } },
        }, cancellationToken);
        var dependencies = new List<DependencyContainer>();
        foreach (var item in listed)
        {
            ContainerInspectResponse inspected;
            try { inspected = await client.Containers.InspectContainerAsync(item.ID, cancellationToken); }
            catch (DockerContainerNotFoundException) { continue; }
            var labels = inspected.Config?.Labels ?? new Dictionary<string, string>();
            dependencies.Add(new DependencyContainer(inspected.ID, inspected.Name.TrimStart('/'),
                labels.TryGetValue(PodliftLabels.Dependency, out var name) ? name : "",
                labels.TryGetValue(PodliftLabels.ConfigHash, out var hash) ? hash : "",
                inspected.State?.Running == true, inspected.State?.Health?.Status ?? "none",
                inspected.Config?.Image ?? "", inspected.State?.Running == true ? ParseTime(inspected.State.StartedAt) : null));
        }
        return dependencies;
    }

    public async Task<string> EnsureNetworkAsync(string name, CancellationToken cancellationToken)
    {
        NetworkResponse network;
        try
        {
            network = await client.Networks.InspectNetworkAsync(name, cancellationToken);
        }
        catch (DockerNetworkNotFoundException)
        {
            await client.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = name, Driver = "bridge", CheckDuplicate = true,
                Labels = new Dictionary<string, string> { [PodliftLabels.App] = name },
            }, cancellationToken);
            network = await client.Networks.InspectNetworkAsync(name, cancellationToken);
        }
        return network.IPAM?.Config?.Select(c => c.Gateway).FirstOrDefault(g => !string.IsNullOrEmpty(g))
               ?? throw new InvalidOperationException($"docker network {name} has no gateway address");
    }

    public async Task RemoveImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await client.Images.DeleteImageAsync(image, new ImageDeleteParameters(), cancellationToken);
        }
        catch (DockerApiException) { } // in use or already gone: either way nothing to do
    }

    private static RestartPolicy RestartPolicyFor(string restart)
    {
        var parts = restart.Split(':', 2);
        return parts[0] switch
        {
            "always" => new RestartPolicy { Name = RestartPolicyKind.Always },
            "no" => new RestartPolicy { Name = RestartPolicyKind.No },
            "on-failure" => new RestartPolicy { Name = RestartPolicyKind.OnFailure, MaximumRetryCount = parts.Length > 1 ? long.Parse(parts[1]) : 0 },
            _ => new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
        };
    }

    public async Task StopAsync(string id, TimeSpan grace, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)grace.TotalSeconds }, cancellationToken);
        }
        catch (DockerContainerNotFoundException) { }
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException) { }
    }

    public Task RenameAsync(string id, string newName, CancellationToken cancellationToken) =>
        client.Containers.RenameContainerAsync(id, new ContainerRenameParameters { NewName = newName }, cancellationToken);

    public async Task<IReadOnlyList<string>> TailLogAsync(string id, int lines, CancellationToken cancellationToken)
    {
        try
        {
            var parameters = new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = lines.ToString(CultureInfo.InvariantCulture) };
            using var stream = await client.Containers.GetContainerLogsAsync(id, false, parameters, cancellationToken);
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
            // stdout and stderr arrive demultiplexed; their relative order is lost, so stderr follows stdout.
            return (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines).ToList();
        }
        catch (DockerApiException e)
        {
            return [$"(no log: {e.Message})"];
        }
    }

    /// <summary>A container's log as Docker's multiplexed stream (podlift's containers have no TTY).</summary>
    public Task<MultiplexedStream> LogsAsync(string id, int tail, long sinceUnixSeconds, bool follow, CancellationToken cancellationToken) =>
        client.Containers.GetContainerLogsAsync(id, false, new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Follow = follow,
            Tail = tail < 0 ? "all" : tail.ToString(CultureInfo.InvariantCulture),
            Since = sinceUnixSeconds > 0 ? sinceUnixSeconds.ToString(CultureInfo.InvariantCulture) : null,
        }, cancellationToken);

    /// <summary>Creates a command in a running container, with stdin, stdout and stderr attached; returns the exec id.</summary>
    public async Task<string> CreateExecAsync(string containerId, IReadOnlyList<string> command, bool tty, CancellationToken cancellationToken)
    {
        var created = await client.Exec.ExecCreateContainerAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = command.ToList(),
            Tty = tty,
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        return created.ID;
    }

    /// <summary>Starts the command and attaches to it: one stream carries its stdin one way and its output the other.</summary>
    public Task<MultiplexedStream> StartExecAsync(string execId, bool tty, CancellationToken cancellationToken) =>
        client.Exec.StartAndAttachContainerExecAsync(execId, tty, cancellationToken);

    public Task ResizeExecAsync(string execId, uint width, uint height, CancellationToken cancellationToken) =>
        client.Exec.ResizeContainerExecTtyAsync(execId, new ContainerResizeParameters { Width = width, Height = height }, cancellationToken);

    /// <summary>
    /// The command's exit code, once Docker has recorded that it ended: shortly after its output closes, or
    /// later if it closed its output and went on running.
    /// </summary>
    public async Task<int> ExecExitCodeAsync(string execId, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var inspected = await client.Exec.InspectContainerExecAsync(execId, cancellationToken);
            if (!inspected.Running) return (int)inspected.ExitCode;
            await Task.Delay(pause, cancellationToken);
            if (pause < TimeSpan.FromSeconds(1)) pause *= 2;
        }
    }

    private static AppContainer ToAppContainer(ContainerInspectResponse inspected)
    {
        var labels = inspected.Config?.Labels ?? new Dictionary<string, string>();
        string Label(string key) => labels.TryGetValue(key, out var value) ? value : "";
        var hostPort = inspected.HostConfig?.PortBindings?.Values.SelectMany(b => b ?? [])
            .Select(b => int.TryParse(b.HostPort, out var p) ? p : 0).FirstOrDefault(p => p > 0) ?? 0;
        return new AppContainer(
            inspected.ID,
            inspected.Name.TrimStart('/'),
            Label(PodliftLabels.App),
            Label(PodliftLabels.Service),
            Label(PodliftLabels.Version),
            int.TryParse(Label(PodliftLabels.Replica), out var replica) ? replica : 0,
            inspected.State?.Status ?? "unknown",
            hostPort,
            ParseTime(Label(PodliftLabels.DeployedAt)),
            Label(PodliftLabels.DeployedBy),
            inspected.State?.Health?.Status ?? "none",
            inspected.State?.Running == true ? ParseTime(inspected.State.StartedAt) : null,
            Label(PodliftLabels.DeployId));
    }

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    public void Dispose() => client.Dispose();
}

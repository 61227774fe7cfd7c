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

    public async Task<ImageInfo?> InspectImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            var inspected = await client.Images.InspectImageAsync(image, cancellationToken);
            return new ImageInfo(inspected.ID, inspected.Size);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    public async Task<ImageInfo> LoadImageAsync(Stream saveStream, string expectedImage, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var progress = new Progress<JSONMessage>(message =>
        {
            if (!string.IsNullOrEmpty(message.ErrorMessage)) lock (errors) errors.Add(message.ErrorMessage);
        });
        await client.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, saveStream, progress, cancellationToken);
        lock (errors)
            if (errors.Count > 0) throw new InvalidOperationException($"docker load failed: {string.Join("; ", errors)}");
        return await InspectImageAsync(expectedImage, cancellationToken)
               ?? throw new InvalidOperationException($"docker load finished but {expectedImage} is not there: the stream held another image");
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
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
            },
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
        return new ContainerStatus(inspected.State.Running, inspected.State.ExitCode, inspected.State.Status);
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
            inspected.State?.Running == true ? ParseTime(inspected.State.StartedAt) : null);
    }

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    public void Dispose() => client.Dispose();
}

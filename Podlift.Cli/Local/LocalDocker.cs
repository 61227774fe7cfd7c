using Docker.DotNet;
using Docker.DotNet.Models;
using Podlift.Cli.Errors;
using Podlift.Cli.Delivery;

namespace Podlift.Cli.Local;

/// <summary>
/// The developer's Docker. Images are built with the `docker build` command, so BuildKit, buildx and
/// .dockerignore behave exactly as they do for the user by hand; everything else goes through the Engine API.
/// </summary>
public sealed class LocalDocker : IDisposable
{
    private readonly DockerClient _client;

    public LocalDocker()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } value ? value : "unix:///var/run/docker.sock";
        IsOnThisMachine = host.StartsWith("unix://", StringComparison.Ordinal);
        _client = new DockerClientConfiguration(new Uri(host)).CreateClient();
    }

    /// <summary>Reached through a unix socket: the daemon's 127.0.0.1 is most likely this machine's (not so for rootless Docker or a VM).</summary>
    public bool IsOnThisMachine { get; }

    public async Task BuildAsync(string contextDirectory, string tag, string version, Action<string> onLine, CancellationToken cancellationToken)
    {
        var dockerfile = Path.Combine(contextDirectory, "Dockerfile");
        if (!File.Exists(dockerfile))
            throw new ConfigurationException($"no Dockerfile in {contextDirectory}", "podlift builds the image from the Dockerfile beside podlift.yml");
        var tail = new Queue<string>();
        var result = await LocalProcess.RunAsync("docker",
            ["build", "--tag", tag, "--label", $"podlift.version={version}", "--file", dockerfile, contextDirectory],
            contextDirectory,
            onLine: line =>
            {
                lock (tail)
                {
                    tail.Enqueue(line);
                    if (tail.Count > 20) tail.Dequeue();
                }
                onLine(line);
            },
            cancellationToken: cancellationToken);
        if (result.ExitCode == 127) throw new DeploymentException("the docker command was not found", "install Docker on this machine");
        if (!result.Succeeded)
            throw new DeploymentException($"docker build failed (exit {result.ExitCode}):\n{string.Join('\n', tail.Select(l => "  " + l))}",
                "fix the build, then deploy again; `docker build .` reproduces it");
    }

    public async Task<long?> ImageSizeAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            return (await _client.Images.InspectImageAsync(image, cancellationToken)).Size;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (HttpRequestException e)
        {
            throw new ConnectionException($"cannot reach the local Docker engine: {e.Message}", "start Docker, or set DOCKER_HOST");
        }
    }

    /// <summary>An image's layer diff ids ("sha256:..."), bottom first.</summary>
    public async Task<IReadOnlyList<string>> LayersAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            return (await _client.Images.InspectImageAsync(image, cancellationToken)).RootFS?.Layers?.ToList() ?? [];
        }
        catch (DockerImageNotFoundException)
        {
            throw new ValidationException($"there is no local image {image}", "build it, or deploy without --skip-build");
        }
    }

    /// <summary>The image id (with the classic image store, the digest of the image config), its size, and the layers' diff ids, bottom first.</summary>
    public async Task<(string Id, long Size, IReadOnlyList<string> DiffIds)> InspectAsync(string image, CancellationToken cancellationToken)
    {
        var inspected = await _client.Images.InspectImageAsync(image, cancellationToken);
        return (inspected.ID, inspected.Size, inspected.RootFS?.Layers?.ToList() ?? []);
    }

    /// <summary>Removes one name of an image, never the image itself.</summary>
    public Task UntagAsync(string reference, CancellationToken cancellationToken) =>
        _client.Images.DeleteImageAsync(reference, new ImageDeleteParameters { NoPrune = true }, cancellationToken);

    /// <summary>`docker save` as a stream: nothing is written to disk.</summary>
    public Task<Stream> SaveAsync(string image, CancellationToken cancellationToken) => _client.Images.SaveImageAsync(image, cancellationToken);

    public Task TagAsync(string image, string reference, CancellationToken cancellationToken)
    {
        var (repository, tag) = Podlift.Protocol.ImageReference.Split(reference);
        return _client.Images.TagImageAsync(image, new ImageTagParameters { RepositoryName = repository, Tag = tag, Force = true }, cancellationToken);
    }

    /// <summary>Asks the registry, through the local Docker, whether it accepts the login. A refusal is an <see cref="InvalidOperationException"/>.</summary>
    public async Task CheckLoginAsync(RegistryCredentials login, CancellationToken cancellationToken)
    {
        try
        {
            await _client.System.AuthenticateAsync(login.ToAuthConfig(), cancellationToken);
        }
        catch (DockerApiException e)
        {
            throw new InvalidOperationException(DockerMessage(e));
        }
    }

    /// <summary>
    /// `docker push` through the Engine API: the login travels in the request to the local Docker, not on a
    /// command line and not in ~/.docker/config.json. A registry error is an <see cref="InvalidOperationException"/>.
    /// </summary>
    public async Task PushAsync(string reference, RegistryCredentials? login, Action<string?, string?, long> onProgress, CancellationToken cancellationToken)
    {
        var (repository, tag) = Podlift.Protocol.ImageReference.Split(reference);
        var errors = new List<string>();
        try
        {
            await _client.Images.PushImageAsync(repository, new ImagePushParameters { Tag = tag }, login?.ToAuthConfig() ?? new AuthConfig(),
                new Messages(errors, message => onProgress(message.ID, message.Status, message.Progress?.Current ?? 0)), cancellationToken);
        }
        catch (DockerApiException e)
        {
            throw new InvalidOperationException(DockerMessage(e));
        }
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("; ", errors));
    }

    private static string DockerMessage(DockerApiException e)
    {
        try
        {
            return System.Text.Json.JsonDocument.Parse(e.ResponseBody).RootElement.GetProperty("message").GetString() ?? e.ResponseBody;
        }
        catch (Exception) when (e.ResponseBody is { Length: > 0 })
        {
            return e.ResponseBody.Trim();
        }
        catch (Exception)
        {
            return e.Message;
        }
    }

    /// <summary>Docker's progress messages, handled as they are read (Progress&lt;T&gt; would deliver them later, on the thread pool).</summary>
    private sealed class Messages(List<string> errors, Action<JSONMessage> onMessage) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value)
        {
            if (!string.IsNullOrEmpty(value.ErrorMessage)) errors.Add(value.ErrorMessage);
            else onMessage(value);
        }
    }

    public void Dispose() => _client.Dispose();
}

using Docker.DotNet;
using Docker.DotNet.Models;
using Platform = Podlift.Cli.Building.Platform;
using Podlift.Cli.Errors;
using Podlift.Cli.Delivery;

namespace Podlift.Cli.Local;

/// <summary>What the local Docker engine is: its version, its platform, and what it runs on ("Docker Desktop", a kernel).</summary>
public sealed record LocalEngine(string Version, string Os, string Architecture, string OperatingSystem)
{
    /// <summary>Docker Desktop runs the programs of both platforms (QEMU, or Rosetta on Apple silicon).</summary>
    public bool IsDockerDesktop => OperatingSystem.Contains("Docker Desktop", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The developer's Docker. Images are built with the `docker build` command, so BuildKit, buildx and
/// .dockerignore behave exactly as they do for the user by hand; everything else goes through the Engine API.
/// </summary>
public sealed class LocalDocker : IDisposable
{
    private readonly DockerClient _client;

    public LocalDocker() : this(DockerEndpoint.OfThisMachine())
    {
    }

    /// <param name="endpoint">unix:///path or tcp://host:port (tests point it at an engine of their own).</param>
    internal LocalDocker(string endpoint)
    {
        Endpoint = endpoint;
        _client = new DockerClientConfiguration(new Uri(Endpoint)).CreateClient();
    }

    /// <summary>Where the engine answers (see <see cref="DockerEndpoint"/>).</summary>
    public string Endpoint { get; }

    /// <summary>A unix socket: the engine runs on this machine (on Linux, on its kernel, unless it is Docker Desktop's VM).</summary>
    public bool IsUnixSocket => Endpoint.StartsWith("unix://", StringComparison.Ordinal);

    /// <summary>
    /// Reads the image once, its answer unused, so that what the client's first call costs (its connection, the JSON
    /// contracts of Docker.DotNet's models) is paid while something slower runs (the servers' connections). Never throws:
    /// whatever failed is met again, and reported, by the call that needs the answer (or the command ended before it).
    /// </summary>
    public async Task WarmUpAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await ImagePlatformAsync(image, cancellationToken);
        }
        catch (Exception) { }
    }

    /// <summary>The Dockerfile podlift builds: ./Dockerfile beside podlift.yml.</summary>
    public static string DockerfileOf(string contextDirectory)
    {
        var dockerfile = Path.Combine(contextDirectory, "Dockerfile");
        return File.Exists(dockerfile)
            ? dockerfile
            : throw new ConfigurationException($"no Dockerfile in {contextDirectory}", "podlift builds the image from the Dockerfile beside podlift.yml");
    }

    /// <param name="platform">What to build for (`--platform linux/arm64`).</param>
    /// <param name="withoutCache">`--no-cache`: every step is run again.</param>
    public async Task BuildAsync(string contextDirectory, string tag, string version, Platform platform, bool withoutCache, Action<string> onLine,
        CancellationToken cancellationToken)
    {
        var dockerfile = DockerfileOf(contextDirectory);
        var tail = new Queue<string>();
        string[] noCache = withoutCache ? ["--no-cache"] : [];
        var result = await LocalProcess.RunAsync("docker",
            ["build", "--platform", platform.Name, .. noCache, "--tag", tag, "--label", $"podlift.version={version}", "--file", dockerfile, contextDirectory],
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

    public async Task<LocalEngine> EngineAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await _client.System.GetVersionAsync(cancellationToken);
            var info = await _client.System.GetSystemInfoAsync(cancellationToken);
            return new LocalEngine(version.Version, version.Os, version.Arch, info.OperatingSystem ?? "");
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
    }

    /// <summary>An image's platform (linux/arm64), or null when it is of another one or not there.</summary>
    public async Task<(bool Present, Platform? Platform, string Written)> ImagePlatformAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            var inspected = await _client.Images.InspectImageAsync(image, cancellationToken);
            return (true, Platform.OfImage(inspected.Os, inspected.Architecture), $"{inspected.Os}/{inspected.Architecture}");
        }
        catch (DockerImageNotFoundException)
        {
            return (false, null, "");
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
    }

    private static ConnectionException Unreachable(HttpRequestException e) =>
        new($"cannot reach the local Docker engine: {e.Message}", "start Docker, or set DOCKER_HOST");

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
            throw Unreachable(e);
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
            // Docker.DotNet (3.125) sends the push request without the token and watches it only once Docker has answered:
            // a push Docker has not answered yet would outlive its cancellation, and the command that waits for it with it
            await _client.Images.PushImageAsync(repository, new ImagePushParameters { Tag = tag }, login?.ToAuthConfig() ?? new AuthConfig(),
                new Messages(errors, message => onProgress(message.ID, message.Status, message.Progress?.Current ?? 0)), cancellationToken)
                .WaitAsync(cancellationToken);
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

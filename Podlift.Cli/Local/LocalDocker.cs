using Docker.DotNet;
using Podlift.Cli.Errors;

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
        _client = new DockerClientConfiguration(new Uri(host)).CreateClient();
    }

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

    /// <summary>`docker save` as a stream: nothing is written to disk.</summary>
    public Task<Stream> SaveAsync(string image, CancellationToken cancellationToken) => _client.Images.SaveImageAsync(image, cancellationToken);

    public void Dispose() => _client.Dispose();
}

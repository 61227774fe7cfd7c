using System.Diagnostics;
using Docker.DotNet;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Protocol;

namespace Podlift.Cli.Delivery;

/// <summary>
/// Direct mode without `docker save` (docs/delivery.md): the local Docker pushes the image, with the registry
/// protocol, to a <see cref="PushReceiver"/> in this process. Docker sends only what it has never pushed
/// (compressed, as it does for any registry) and asks about the rest; so a new version costs its changed
/// layers, not the image. Docker exports no layer on its own otherwise: `docker save` reads the whole image.
/// The push needs no server: it starts as soon as the image is built, and each server then takes from it
/// what it lacks. Where Docker cannot push here (a daemon in a VM or remote) or pushes another kind of image
/// (the containerd image store, whose image id is not its config's digest),
/// <see cref="Unavailable"/> says why and the servers are sent `docker save` streams as before.
/// </summary>
public sealed class LayerPush : IAsyncDisposable
{
    private readonly BlobStore _blobs = new();
    private readonly TaskCompletionSource<Func<string, bool>> _needed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _knownPath;
    private int _disposed;
    private readonly CancellationTokenSource _stop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task<PushedImage?> _result;
    private Task _untagged = Task.CompletedTask;

    private LayerPush(LocalDocker docker, string image, string knownPath, CancellationToken cancellationToken)
    {
        _knownPath = knownPath;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _result = Task.Run(() => RunAsync(docker, image, _stop.Token));
    }

    /// <summary>Unless PODLIFT_TRANSFER=save (for measuring; see docs/performance.md): then every server is sent `docker save` streams.</summary>
    public static bool Enabled() => !string.Equals(Environment.GetEnvironmentVariable("PODLIFT_TRANSFER"), "save", StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts pushing the (built) image to this process.</summary>
    /// <param name="knownPath">Where the blob digests of earlier pushes are kept (<see cref="LayerDigests"/>).</param>
    public static LayerPush Start(LocalDocker docker, string image, CancellationToken cancellationToken, string? knownPath = null) =>
        new(docker, image, knownPath ?? LayerDigests.DefaultPath(), cancellationToken);

    /// <summary>
    /// What the servers that take from the push lack (each server's selection). Docker's questions about layers are
    /// answered once this is known; the uploads of layers it never pushed go on meanwhile.
    /// </summary>
    public void Serve(IEnumerable<LayerSelection> servers)
    {
        var all = servers.ToList();
        _needed.TrySetResult(diffId => all.Any(selection => selection.MustSend(diffId)));
    }

    /// <summary>The pushed image; null when Docker could not push it here (<see cref="Unavailable"/>).</summary>
    public Task<PushedImage?> Result => _result;

    /// <summary>Why the push could not be used, when it could not.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>From the start until Docker's push ended.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>
    /// After a successful deploy: a push still going is Docker compressing layers it had never pushed (the servers
    /// were sent them another way). It is let finish, once, so that Docker remembers them and the next deploys skip them.
    /// </summary>
    public async Task FinishAsync(ConsoleOutput output)
    {
        if (!_result.IsCompleted) output.Line("  Docker is still pushing layers it never pushed before (once: later deploys skip them)...");
        if (await _result is { } pushed) output.Detail($"Docker's push: {Describe(pushed)} ({Elapsed.TotalMilliseconds:0} ms)");
    }

    /// <summary>"1 layer uploaded (2.1 KB), 2 asked about".</summary>
    public static string Describe(PushedImage pushed)
    {
        var uploaded = pushed.Layers.Where(l => l.Blob is not null).DistinctBy(l => l.Digest).ToList();
        var asked = pushed.Layers.Where(l => l.Blob is null).DistinctBy(l => l.Digest).Count();
        return $"{uploaded.Count} layer(s) uploaded ({Format.Bytes(uploaded.Sum(l => l.Blob!.Size))}), {asked} asked about";
    }

    private async Task<PushedImage?> RunAsync(LocalDocker docker, string image, CancellationToken cancellationToken)
    {
        try
        {
            if (!docker.IsUnixSocket) return NotHere("the local Docker is not reached through a unix socket (DOCKER_HOST)");
            // with the containerd image store, the image id is not the config's digest: the check of the manifest then declines the push
            var (imageId, imageSize, diffIds) = await docker.InspectAsync(image, cancellationToken);
            var known = LayerDigests.Load(_knownPath);
            var (repository, tag) = ImageReference.Split(image);
            var pushRepository = "podlift/" + repository;
            var secondPush = false;
            var receiver = new PushReceiver(pushRepository, imageId, _blobs, async (digest, token) =>
                BlobAnswer.IsThere(digest, known, await _needed.Task.WaitAsync(token), imageSize, unknownIsThere: !secondPush));
            await using var registry = LocalRegistry.Start(receiver, PreferredPort());
            var reference = $"{registry.Address}/{pushRepository}:{tag}";
            await docker.TagAsync(image, reference, cancellationToken);
            try
            {
                var pushed = await PushOnceAsync(docker, reference, receiver, imageId, diffIds, known, cancellationToken);
                if (BlobAnswer.PushAgain(pushed, known, await _needed.Task.WaitAsync(cancellationToken), imageSize))
                {
                    secondPush = true;
                    pushed = await PushOnceAsync(docker, reference, receiver, imageId, diffIds, known, cancellationToken);
                }
                return pushed;
            }
            finally
            {
                Elapsed = _clock.Elapsed;
                _untagged = UntagQuietlyAsync(docker, reference); // off the servers' path: they wait for the result, not for this
            }
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException or HttpRequestException or DockerApiException
                                      && !cancellationToken.IsCancellationRequested)
        {
            return NotHere($"Docker could not push to this process: {e.Message}");
        }
    }

    /// <summary>One `docker push`, and what it taught: which blob is which layer.</summary>
    private async Task<PushedImage> PushOnceAsync(LocalDocker docker, string reference, PushReceiver receiver, string imageId, IReadOnlyList<string> diffIds,
        LayerDigests known, CancellationToken cancellationToken)
    {
        await docker.PushAsync(reference, null, (_, _, _) => { }, cancellationToken);
        var manifest = receiver.Manifest ?? throw new InvalidDataException("Docker's push ended without a manifest");
        var pushed = await PushedImage.AssembleAsync(manifest, _blobs, imageId, diffIds, cancellationToken);
        known.Learn(pushed, DateTimeOffset.UtcNow);
        known.Save(_knownPath);
        return pushed;
    }

    private PushedImage? NotHere(string reason)
    {
        Unavailable = reason;
        Elapsed = _clock.Elapsed;
        return null;
    }

    /// <summary>The same port on every run (per user) where it is free: Docker keeps one record per registry and layer of what it pushed.</summary>
    private static int PreferredPort() => 28500 + (int)(UnixNative.EffectiveUserId % 1000);

    private static async Task UntagQuietlyAsync(LocalDocker docker, string reference)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await docker.UntagAsync(reference, timeout.Token);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or OperationCanceledException) { } // a stray tag, nothing worse
    }

    /// <summary>A push still going when the command ends without <see cref="FinishAsync"/> (it failed) is stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_result.IsCompleted) await _stop.CancelAsync();
        try
        {
            await _result;
        }
        catch (Exception) { } // cancelled, or failed: the deploy has said what matters
        await _untagged;
        _blobs.Dispose();
        _stop.Dispose();
    }
}

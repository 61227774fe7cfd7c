using System.Diagnostics;
using Grpc.Core;
using Podlift.Agent.Docker;
using Podlift.Agent.Rpc;
using Podlift.Protocol;

namespace Podlift.Agent.Images;

/// <summary>
/// Registry mode: the server's Docker pulls the image, and it is then tagged as the deploy names it
/// (name:tag), exactly as a pushed image would be; the registry's tag is removed, so pruning an old
/// version frees its layers. The login lives for the pull's duration only.
/// </summary>
public sealed class ImagePuller(IContainerRuntime runtime, DockerWatch watch, ILogger<ImagePuller> log)
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromMilliseconds(500);

    public async Task PullAsync(PullImageRequest request, IServerStreamWriter<PullProgress> responses, CancellationToken cancellationToken)
    {
        if (request.Reference.Length == 0 || request.Image.Length == 0)
            throw new AgentFailure(AgentErrorReason.InvalidRequest, "a pull names the registry's reference and the image to tag");
        var auth = request.Login is { Username.Length: > 0 } login ? new RegistryAuth(login.Server, login.Username, login.Password) : null;

        var clock = Stopwatch.StartNew();
        var tally = new PullTally();
        var pull = watch.WatchAsync((progress, token) => runtime.PullImageAsync(request.Reference, auth, message =>
        {
            progress.Moved();
            lock (tally) tally.Observe(message);
        }, token), "pulled the image", cancellationToken);
        while (await Task.WhenAny(pull, Task.Delay(ReportEvery, cancellationToken)) != pull)
            await responses.WriteAsync(Snapshot(tally), cancellationToken);
        try
        {
            await pull;
        }
        catch (InvalidOperationException e)
        {
            log.LogWarning("pull of {Reference} (login {Login}) failed: {Error}", request.Reference, auth?.ToString() ?? "anonymous", e.Message);
            throw new AgentFailure(AgentErrorReason.RegistryFailed, e.Message);
        }

        if (request.Reference != request.Image)
        {
            await runtime.TagImageAsync(request.Reference, request.Image, cancellationToken);
            await runtime.RemoveImageAsync(request.Reference, cancellationToken);
        }
        var image = await runtime.InspectImageAsync(request.Image, cancellationToken)
                    ?? throw new AgentFailure(AgentErrorReason.DockerRefused, $"{request.Reference} was pulled but {request.Image} is not there");
        var done = Snapshot(tally);
        done.Id = image.Id;
        done.PullMilliseconds = clock.ElapsedMilliseconds;
        log.LogInformation("pulled {Reference} as {Image} ({Id}, login {Login}): {Downloaded} bytes, {Present} of {Layers} layers already here, {Milliseconds} ms",
            request.Reference, request.Image, image.Id, auth?.ToString() ?? "anonymous", done.BytesDownloaded, done.LayersPresent, done.Layers, done.PullMilliseconds);
        await responses.WriteAsync(done, cancellationToken);
    }

    private static PullProgress Snapshot(PullTally tally)
    {
        lock (tally) return tally.Snapshot();
    }
}

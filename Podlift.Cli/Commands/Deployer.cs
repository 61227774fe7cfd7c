using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Cli.Transfer;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

public sealed record DeployOptions(bool SkipBuild, bool SkipHealthcheck);

/// <summary>
/// `podlift deploy`: validate, build once, then server by server (serial; the first failure stops the
/// run before the next server is touched): transfer the image, and let the agent switch with zero downtime.
/// </summary>
public sealed class Deployer(ConsoleOutput output, SshSettings ssh)
{
    private const int TotalSteps = 7;

    public async Task RunAsync(PodliftConfig config, DeployOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        output.Line($"Deploying {config.App} to {string.Join(", ", config.Servers)}...");

        output.Step(1, TotalSteps, "Validate");
        var commit = await Git.CleanHeadAsync(config.ProjectDirectory, cancellationToken);
        output.Ok($"git tree clean at {commit.ShortSha} \"{commit.Subject}\"");
        await using var sessions = await ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        foreach (var session in sessions)
            output.Ok($"{session.Server.Host}: podlift-agent {session.Hello!.AgentVersion}, Docker {session.Hello.DockerVersion}, nginx {session.Hello.NginxVersion}");

        var deployedBy = await Git.UserNameAsync(config.ProjectDirectory, cancellationToken) ?? Environment.UserName;
        var release = new Release(commit.ShortSha, Release.ImageTag(config.Image, commit.ShortSha), deployedBy, commit.Subject);

        using var docker = new LocalDocker();
        var transfer = new ImageTransfer(docker, output);
        output.Step(2, TotalSteps, "Build (local)");
        await BuildAsync(docker, config, release, options, cancellationToken);

        var outcomes = new List<(string Host, DeployFinished Finished)>();
        foreach (var session in sessions)
        {
            if (sessions.Count > 1) output.Line($"Deploying to {session.Server.Host}...");
            await TransferAsync(transfer, docker, session, release, config, cancellationToken);
            var plan = DeployPlanner.For(config, session.Server, release, options.SkipHealthcheck);
            var finished = await JobWatcher.WatchAsync(session.Server.Host, () => session.Agent.Client.Deploy(plan, cancellationToken: cancellationToken),
                output, LogsHint(config), cancellationToken);
            outcomes.Add((session.Server.Host, finished));
            if (sessions.Count > 1) output.Ok($"{session.Server.Host} complete");
        }

        output.Line();
        output.Ok(sessions.Count > 1 ? "All servers deployed successfully!" : "Deployment successful!");
        output.Line($"Version:  {release.Version} \"{release.CommitMessage}\"");
        var previous = outcomes.Select(o => o.Finished.PreviousVersion).FirstOrDefault(v => v.Length > 0);
        output.Line($"Previous: {previous ?? "(first deploy)"}");
        output.Line($"URL:      http://{config.Domain ?? config.Primary.Host}");
        output.Line($"Time:     {Format.Duration(clock.Elapsed)}");
    }

    private async Task BuildAsync(LocalDocker docker, PodliftConfig config, Release release, DeployOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (options.SkipBuild)
        {
            if (await docker.ImageSizeAsync(release.Image, cancellationToken) is null)
                throw new ValidationException($"--skip-build, but there is no local image {release.Image}", "deploy once without --skip-build to build it");
            output.Ok($"{release.Image} already built (--skip-build)");
            return;
        }
        await docker.BuildAsync(config.ProjectDirectory, release.Image, release.Version, line => output.Detail(line), cancellationToken);
        var size = await docker.ImageSizeAsync(release.Image, cancellationToken) ?? 0;
        output.Ok($"{release.Image} built ({Format.Bytes(size)}, {Format.Duration(clock.Elapsed)})");
    }

    private async Task TransferAsync(ImageTransfer transfer, LocalDocker docker, ServerSession session, Release release, PodliftConfig config, CancellationToken cancellationToken)
    {
        var host = session.Server.Host;
        output.Step(3, TotalSteps, "Transfer");
        ImageTransfer.Sent? sent = null;
        if (await transfer.IsOnServerAsync(session, release.Image, cancellationToken)) output.Ok($"{release.Image} is already on {host}: nothing to send");
        else
        {
            sent = await transfer.SendAsync(session, release.Image, cancellationToken);
            output.Ok($"{Format.Bytes(sent.WireBytes)} sent to {host}: {Describe(sent)} ({Format.Duration(sent.Elapsed)}, {TransferProgress.Rate(sent.WireBytes, sent.Elapsed)})");
        }
        if (session.Server == config.Primary)
            await SendDependencyImagesAsync(transfer, docker, session, config, cancellationToken);

        output.Step(4, TotalSteps, "Load");
        output.Ok(sent is null ? "nothing to load" : $"{release.Image} loaded ({Format.Duration(sent.Load)})");
    }

    /// <summary>Without a registry, dependency images the server lacks come from the local Docker, like the app's.</summary>
    private async Task SendDependencyImagesAsync(ImageTransfer transfer, LocalDocker docker, ServerSession session, PodliftConfig config, CancellationToken cancellationToken)
    {
        foreach (var image in config.Dependencies.Select(d => d.Image).Distinct())
        {
            if (await transfer.IsOnServerAsync(session, image, cancellationToken)) continue;
            if (await docker.ImageSizeAsync(image, cancellationToken) is null)
            {
                output.Warn($"{image} is neither on {session.Server.Host} nor in the local Docker; `docker pull {image}` locally so podlift can send it");
                continue;
            }
            var sent = await transfer.SendAsync(session, image, cancellationToken);
            output.Ok($"{image} (dependency): {Format.Bytes(sent.WireBytes)} sent: {Describe(sent)} ({Format.Duration(sent.Elapsed)})");
        }
    }

    /// <summary>"1 of 3 layers, 2 already there (57.2 MB not sent), zstd".</summary>
    public static string Describe(ImageTransfer.Sent sent)
    {
        var layers = sent.Layers;
        var already = layers.LayersOmitted > 0 ? $", {layers.LayersOmitted} already there ({Format.Bytes(layers.BytesOmitted)} not sent)" : "";
        var fellBack = sent.FellBack ? ", full image after a refused partial load" : "";
        return $"{layers.LayersSent} of {sent.LayerCount} layers{already}, {WireCompression.Name(sent.Compression)}{fellBack}";
    }

    public static string LogsHint(PodliftConfig config) => $"Check logs: podlift logs {config.RoutedService?.Name ?? config.Services[0].Name}";
}

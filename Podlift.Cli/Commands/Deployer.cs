using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
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
    private const int ChunkSize = 1 << 20;

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
        output.Step(2, TotalSteps, "Build (local)");
        await BuildAsync(docker, config, release, options, cancellationToken);

        var outcomes = new List<(string Host, DeployFinished Finished)>();
        foreach (var session in sessions)
        {
            if (sessions.Count > 1) output.Line($"Deploying to {session.Server.Host}...");
            await TransferAsync(docker, session, release, cancellationToken);
            var finished = await DeployOnAsync(session, DeployPlanner.For(config, session.Server, release, options.SkipHealthcheck), config, cancellationToken);
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

    private async Task TransferAsync(LocalDocker docker, ServerSession session, Release release, CancellationToken cancellationToken)
    {
        var host = session.Server.Host;
        output.Step(3, TotalSteps, "Transfer");
        var status = await Call(host, () => session.Agent.Client.ImageStatusAsync(new ImageStatusRequest { Image = release.Image }, cancellationToken: cancellationToken).ResponseAsync);
        if (status.Present)
        {
            output.Ok($"{release.Image} is already on {host}: nothing to send");
            output.Step(4, TotalSteps, "Load");
            output.Ok("nothing to load");
            return;
        }

        var clock = Stopwatch.StartNew();
        using var call = session.Agent.Client.PushImage(cancellationToken: cancellationToken);
        long sent = 0;
        await Call(host, async () =>
        {
            await call.RequestStream.WriteAsync(new ImageChunk { Header = new PushHeader { Image = release.Image } }, cancellationToken);
            await using var save = await docker.SaveAsync(release.Image, cancellationToken);
            var buffer = new byte[ChunkSize];
            int read;
            while ((read = await save.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)) > 0)
            {
                await call.RequestStream.WriteAsync(new ImageChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken);
                sent += read;
            }
            await call.RequestStream.CompleteAsync();
            return true;
        });
        var transferTime = clock.Elapsed;
        var reply = await Call(host, () => call.ResponseAsync);
        var rate = sent / Math.Max(transferTime.TotalSeconds, 0.001);
        output.Ok($"{Format.Bytes(sent)} sent to {host} ({Format.Duration(transferTime)}, {Format.Bytes((long)rate)}/s)");
        output.Step(4, TotalSteps, "Load");
        output.Ok($"{release.Image} loaded ({Format.Duration(TimeSpan.FromMilliseconds(reply.LoadMilliseconds))})");
    }

    private async Task<DeployFinished> DeployOnAsync(ServerSession session, DeployPlan plan, PodliftConfig config, CancellationToken cancellationToken)
    {
        var host = session.Server.Host;
        var printer = new DeployEventPrinter(output, TotalSteps);
        try
        {
            using var call = session.Agent.Client.Deploy(plan, cancellationToken: cancellationToken);
            await foreach (var deployEvent in call.ResponseStream.ReadAllAsync(cancellationToken))
                printer.Handle(deployEvent);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            throw new DeploymentException($"{host}: {e.Status.Detail}", "wait for it to finish (`podlift ps` shows the outcome), then deploy again");
        }
        catch (Exception e) when (e is RpcException or IOException && printer.Finished is null)
        {
            throw LostDuringDeploy(host, printer.DeployId);
        }

        var finished = printer.Finished ?? throw LostDuringDeploy(host, printer.DeployId);
        if (finished.Success) return finished;

        var detail = printer.FailureDetail.Count > 0 ? "\n" + string.Join('\n', printer.FailureDetail) : "";
        var service = config.RoutedService?.Name ?? config.Services[0].Name;
        throw new DeploymentException($"Deployment failed on {host}: {finished.Error}{detail}", $"Check logs: podlift logs {service}");
    }

    private static ConnectionException LostDuringDeploy(string host, string deployId) => new(
        $"{host}: the connection to the agent was lost during the deploy{(deployId.Length > 0 ? $" {deployId}" : "")}; the agent carries on with it on the server",
        "run `podlift ps` to see how it ended");

    private static async Task<T> Call<T>(string host, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown)
        {
            throw new DeploymentException($"{host}: the image transfer failed: {e.Status.Detail}", "check free disk space on the server, then deploy again");
        }
    }
}

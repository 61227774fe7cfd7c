using Docker.DotNet;
using Grpc.Core;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Host;
using Podlift.Agent.Images;
using Podlift.Agent.Operate;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Rpc;

/// <summary>The gRPC surface. Each call is a thin mapping onto the component that does the work.</summary>
public sealed class AgentService(
    DockerEngine docker, HostFacts host, ImageReceiver images, DeployJobs jobs, AppStateReader states, LogStreamer logs, ExecSession exec)
    : Protocol.Agent.AgentBase
{
    public static string Version => typeof(AgentService).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public override async Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
    {
        var dockerVersion = await docker.VersionAsync(context.CancellationToken);
        var reply = new HelloReply
        {
            ProtocolVersion = AgentProtocol.Version,
            AgentVersion = Version,
            DockerVersion = dockerVersion.Version,
            DockerApiVersion = dockerVersion.APIVersion,
            NginxVersion = await host.NginxVersionAsync(context.CancellationToken),
            Hostname = Environment.MachineName,
            Architecture = HostFacts.Architecture,
            Os = HostFacts.OperatingSystem(),
            DiskFreeBytes = HostFacts.DiskFreeBytes(),
            UptimeSeconds = (long)HostFacts.AgentUptime.TotalSeconds,
        };
        foreach (var job in jobs.Running)
            reply.ActiveDeploys.Add(new ActiveDeploy
            {
                App = job.Plan.App,
                Version = job.Plan.Version,
                DeployId = job.Events.DeployId,
                DeployedBy = job.Plan.DeployedBy,
                StartedAtUnixMilliseconds = job.StartedAt.ToUnixTimeMilliseconds(),
                Step = job.Events.CurrentStep,
            });
        return reply;
    }

    public override async Task<ImageStatusReply> ImageStatus(ImageStatusRequest request, ServerCallContext context)
    {
        var image = await docker.InspectImageAsync(request.Image, context.CancellationToken);
        return image is null ? new ImageStatusReply() : new ImageStatusReply { Present = true, Id = image.Id, SizeBytes = image.SizeBytes };
    }

    public override Task<PushImageReply> PushImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context) =>
        images.ReceiveAsync(requestStream, context.CancellationToken);

    public override async Task Deploy(DeployPlan request, IServerStreamWriter<DeployEvent> responseStream, ServerCallContext context)
    {
        RunningJob job;
        try
        {
            job = jobs.Start(request);
        }
        catch (AppLockedException locked)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, locked.Message));
        }

        // A client that goes away stops only this stream; the job keeps running.
        await foreach (var deployEvent in job.Events.ReadAllAsync(context.CancellationToken))
            await responseStream.WriteAsync(deployEvent, context.CancellationToken);
    }

    public override Task<StateReply> State(StateRequest request, ServerCallContext context) =>
        states.ReadAsync(request.App, context.CancellationToken);

    public override Task Logs(LogsRequest request, IServerStreamWriter<LogLine> responseStream, ServerCallContext context) =>
        WithStatusAsync(() => logs.StreamAsync(request, line => responseStream.WriteAsync(line, context.CancellationToken), context.CancellationToken));

    public override Task Exec(IAsyncStreamReader<ExecInput> requestStream, IServerStreamWriter<ExecOutput> responseStream, ServerCallContext context) =>
        WithStatusAsync(() => exec.RunAsync(requestStream, responseStream, context.CancellationToken));

    /// <summary>Runs an operator call; what went wrong becomes the gRPC status the CLI explains to the user.</summary>
    private static async Task WithStatusAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (ContainerLookupException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (BadExecRequestException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (DockerApiException e)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Docker refused: {e.Message}"));
        }
    }
}

using Grpc.Core;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Host;
using Podlift.Agent.Images;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Rpc;

/// <summary>The gRPC surface. Each call is a thin mapping onto the component that does the work.</summary>
public sealed class AgentService(
    DockerEngine docker, HostFacts host, ImageReceiver images, DeployJobs jobs, AppStateReader states)
    : Protocol.Agent.AgentBase
{
    public static string Version => typeof(AgentService).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public override async Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
    {
        var dockerVersion = await docker.VersionAsync(context.CancellationToken);
        return new HelloReply
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
}

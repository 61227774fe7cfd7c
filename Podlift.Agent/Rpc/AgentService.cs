using Grpc.Core;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Machine;
using Podlift.Agent.Images;
using Podlift.Agent.Operate;
using Podlift.Agent.State;
using Podlift.Protocol;

namespace Podlift.Agent.Rpc;

/// <summary>
/// The gRPC surface. Each call is a thin mapping onto the component that does the work; what fails there becomes the
/// call's status and reason in <see cref="ErrorInterceptor"/>.
/// </summary>
public sealed class AgentService(
    DockerEngine docker, DockerVersionCache dockerVersions, HostFacts host, ImageReceiver images, ImagePuller puller, LayerInventory layers, DeployJobs jobs, AppStateReader states,
    SwitchGate gate, Proxy.UpstreamCoordinator upstreams, LogStreamer logs, ExecSession exec)
    : Protocol.Agent.AgentBase
{
    public static string Version { get; } = BuildVersion.Of(typeof(AgentService).Assembly);

    public override async Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
    {
        var nginxVersion = host.NginxVersionAsync(context.CancellationToken);
        var dockerVersion = await dockerVersions.GetAsync(context.CancellationToken);
        var reply = new HelloReply
        {
            ProtocolVersion = AgentProtocol.Version,
            AgentVersion = Version,
            DockerVersion = dockerVersion.Version,
            DockerApiVersion = dockerVersion.APIVersion,
            NginxVersion = await nginxVersion,
            Hostname = Environment.MachineName,
            Architecture = HostFacts.Architecture,
            Os = HostFacts.OperatingSystem(),
            DiskFreeBytes = HostFacts.DiskFreeBytes(),
            UptimeSeconds = (long)HostFacts.AgentUptime.TotalSeconds,
            Capabilities = { Capabilities.Supported },
        };
        foreach (var job in jobs.Running)
            reply.ActiveDeploys.Add(new ActiveDeploy
            {
                App = job.Spec.Plan.App,
                Version = job.Spec.Plan.Version,
                DeployId = job.Events.DeployId,
                DeployedBy = job.Spec.Plan.DeployedBy,
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

    public override Task<MissingLayersReply> MissingLayers(MissingLayersRequest request, ServerCallContext context) =>
        layers.MissingAsync(request.ChainIds, context.CancellationToken); // the validator checked every chain id

    public override Task<PushImageReply> PushImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context) =>
        images.ReceiveAsync(requestStream, context.CancellationToken);

    public override Task PullImage(PullImageRequest request, IServerStreamWriter<PullProgress> responseStream, ServerCallContext context) =>
        puller.PullAsync(request, responseStream, context.CancellationToken);

    public override Task Deploy(DeployPlan request, IServerStreamWriter<DeployEvent> responseStream, ServerCallContext context) =>
        JobAsync(request.DryRun, () => jobs.PreviewDeployAsync(request, context.CancellationToken), () => Task.FromResult(jobs.StartDeploy(request)), responseStream, context);

    public override Task Rollback(RollbackRequest request, IServerStreamWriter<DeployEvent> responseStream, ServerCallContext context) =>
        JobAsync(request.DryRun, () => jobs.PreviewRollbackAsync(request, context.CancellationToken), () => jobs.StartRollbackAsync(request, context.CancellationToken),
            responseStream, context);

    public override Task Promote(PromoteRequest request, IServerStreamWriter<DeployEvent> responseStream, ServerCallContext context) =>
        JobAsync(request.DryRun, () => jobs.PreviewPromoteAsync(request, context.CancellationToken), () => Task.FromResult(jobs.StartPromote(request)), responseStream, context);

    /// <summary>A job's call: with dry_run, the plan it would run and how it would end; else the job, started, and its events.</summary>
    private static async Task JobAsync(bool dryRun, Func<Task<IReadOnlyList<DeployEvent>>> preview, Func<Task<RunningJob>> start,
        IServerStreamWriter<DeployEvent> responseStream, ServerCallContext context)
    {
        if (dryRun)
        {
            await StreamAsync((await preview()).ToAsyncEnumerable(), responseStream, context);
            return;
        }
        var job = await StartedAsync(start);
        await StreamAsync(job.Events.ReadAllAsync(context.CancellationToken), responseStream, context);
    }

    public override Task Attach(AttachRequest request, IServerStreamWriter<DeployEvent> responseStream, ServerCallContext context) =>
        StreamAsync(jobs.Attach(request.App, request.DeployId, context.CancellationToken), responseStream, context);

    /// <summary>A client that goes away stops only its stream; the job keeps running.</summary>
    private static async Task StreamAsync(IAsyncEnumerable<DeployEvent> events, IServerStreamWriter<DeployEvent> responseStream, ServerCallContext context)
    {
        await foreach (var deployEvent in events)
            await responseStream.WriteAsync(deployEvent, context.CancellationToken);
    }

    /// <summary>A job whose journal or plan could not be written did not start: nothing was changed.</summary>
    private static async Task<RunningJob> StartedAsync(Func<Task<RunningJob>> start)
    {
        try
        {
            return await start();
        }
        catch (IOException e)
        {
            throw new AgentFailure(AgentErrorReason.JobNotStarted,
                $"the job could not start: {DiskFull.Explain(e)}{(DiskFull.Caused(e) ? $"; {DiskFull.Fix}" : "")}");
        }
    }

    public override Task<ConfirmSwitchReply> ConfirmSwitch(ConfirmSwitchRequest request, ServerCallContext context) =>
        gate.Release(request.DeployId, request.Proceed, request.Reason, request.Others)
            ? Task.FromResult(new ConfirmSwitchReply())
            : throw new AgentFailure(AgentErrorReason.NotFound, $"no deploy {request.DeployId} of {request.App} waits for the primary here");

    public override Task<SetUpstreamReply> SetUpstream(SetUpstreamRequest request, ServerCallContext context) =>
        upstreams.SetAsync(request, context.CancellationToken);

    public override Task<ApplyProxyReply> ApplyProxy(ApplyProxyRequest request, ServerCallContext context) =>
        upstreams.ApplyAsync(request, context.CancellationToken);

    public override Task<StateReply> State(StateRequest request, ServerCallContext context) =>
        states.ReadAsync(request.App, context.CancellationToken);

    public override Task Logs(LogsRequest request, IServerStreamWriter<LogLine> responseStream, ServerCallContext context) =>
        logs.StreamAsync(request, line => responseStream.WriteAsync(line, context.CancellationToken), context.CancellationToken);

    public override Task Exec(IAsyncStreamReader<ExecInput> requestStream, IServerStreamWriter<ExecOutput> responseStream, ServerCallContext context) =>
        exec.RunAsync(requestStream, responseStream, context.CancellationToken);
}

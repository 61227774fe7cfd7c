using Microsoft.AspNetCore.Server.Kestrel.Core;
using Podlift.Agent.Deploy;
using Podlift.Agent.Docker;
using Podlift.Agent.Health;
using Podlift.Agent.Machine;
using Podlift.Agent.Hosting;
using Podlift.Agent.Images;
using Podlift.Agent.Operate;
using Podlift.Agent.Plans;
using Podlift.Agent.Plans.Steps;
using Podlift.Agent.Proxy;
using Podlift.Agent.Rpc;
using Podlift.Agent.Rpc.Validation;
using Podlift.Agent.State;
using Serilog;
using Podlift.Agent.Hooks;

if (args is ["--version"])
{
    Console.WriteLine(AgentService.Version);
    return 0;
}

Log.Logger = AgentLogging.Configure(new LoggerConfiguration()).CreateLogger();
var socket = new AgentSocket(Environment.GetEnvironmentVariable("PODLIFT_AGENT_SOCKET") ?? Podlift.Protocol.AgentProtocol.SocketPath);
try
{
    var builder = WebApplication.CreateSlimBuilder(args);
    builder.Host.UseSystemd();
    builder.Host.UseSerilog();
    builder.WebHost.ConfigureKestrel(kestrel =>
    {
        kestrel.ListenUnixSocket(socket.Path, listen => listen.Protocols = HttpProtocols.Http2);
        kestrel.Limits.MinRequestBodyDataRate = null; // an image push may pause while docker load catches up
        // an image push is one long stream through an SSH tunnel: wide HTTP/2 windows keep it from stopping
        // for a window update every 768 KB (the default), each a round trip through ssh
        kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
        kestrel.Limits.Http2.InitialStreamWindowSize = 16 << 20;
    });
    builder.Services.AddGrpc(grpc =>
    {
        grpc.MaxReceiveMessageSize = 8 << 20;
        grpc.Interceptors.Add<ErrorInterceptor>(); // first, so it turns every failure below it into a status and a reason
        grpc.Interceptors.Add<ValidationInterceptor>(); // every request's fields, before any handler
        grpc.Interceptors.Add<IdleInterceptor>();
    });

    builder.Services.AddSingleton(_ => new IdleCompaction());
    builder.Services.AddSingleton(_ => DockerEngine.Local());
    builder.Services.AddSingleton(services => new DockerWatch(services.GetRequiredService<DockerEngine>().PingAsync));
    builder.Services.AddSingleton<IContainerRuntime>(services =>
        new WatchedRuntime(services.GetRequiredService<DockerEngine>(), services.GetRequiredService<DockerWatch>()));
    builder.Services.AddSingleton(services =>
    {
        var docker = services.GetRequiredService<DockerEngine>();
        return new DockerVersionCache(docker.VersionAsync, docker.PingAsync);
    });
    builder.Services.AddSingleton(_ => HttpHealthProbe.CreateClient());
    builder.Services.AddSingleton<HttpHealthProbe>();
    builder.Services.AddSingleton<IProcessRunner, ProcessRunner>();
    builder.Services.AddSingleton<IReverseProxy>(services => new NginxProxy(services.GetRequiredService<IProcessRunner>()));
    builder.Services.AddSingleton<PortReservations>();
    builder.Services.AddSingleton<ReleaseRunner>();
    builder.Services.AddSingleton(_ => new StateStore(StateStore.DefaultRoot));
    builder.Services.AddSingleton<HostFacts>();
    builder.Services.AddSingleton<ImageReceiver>();
    builder.Services.AddSingleton<ImagePuller>();
    builder.Services.AddSingleton<LayerInventory>();
    builder.Services.AddSingleton<DependencyManager>();
    builder.Services.AddSingleton<IHookShell>(_ => new HookShell());
    builder.Services.AddSingleton<HookRunner>();
    builder.Services.AddSingleton<UpstreamRegistry>();
    builder.Services.AddSingleton<SwitchGate>();
    builder.Services.AddSingleton<PeerFirewall>();
    builder.Services.AddSingleton<UpstreamCoordinator>();
    builder.Services.AddSingleton<NginxSiteFactory>();
    builder.Services.AddSingleton<IHealthChecker, HealthChecker>();
    builder.Services.AddSingleton<SnapshotReader>(services => new SnapshotReader(services.GetRequiredService<IContainerRuntime>(),
        services.GetRequiredService<IReverseProxy>(), services.GetRequiredService<StateStore>(), services.GetRequiredService<PortReservations>()));
    builder.Services.AddSingleton<ContainerSteps>();
    builder.Services.AddSingleton<HealthStep>();
    builder.Services.AddSingleton<NetworkSteps>();
    builder.Services.AddSingleton<DependencySteps>();
    builder.Services.AddSingleton<ReleaseStep>();
    builder.Services.AddSingleton<ProxySteps>();
    builder.Services.AddSingleton<HookStep>();
    builder.Services.AddSingleton<RecordStep>();
    builder.Services.AddSingleton<IRequestLogFile>(_ => new RequestLogFile());
    builder.Services.AddSingleton<ReceiptSteps>();
    builder.Services.AddSingleton<VerifyStep>(services => new VerifyStep(services.GetRequiredService<IRequestLogFile>()));
    builder.Services.AddSingleton<ActionRunner>();
    builder.Services.AddSingleton<PlanExecutor>(services => new PlanExecutor(services.GetRequiredService<ActionRunner>()));
    builder.Services.AddSingleton<DeployTools>();
    builder.Services.AddSingleton<DeployJobs>();
    builder.Services.AddSingleton<Reconciler>();
    builder.Services.AddSingleton<AppStateReader>();
    builder.Services.AddSingleton<ServiceContainers>();
    builder.Services.AddSingleton<LogStreamer>();
    builder.Services.AddSingleton<ExecSession>();

    var app = builder.Build();
    app.MapGrpcService<AgentService>();

    await DockerReadiness.WaitAsync(app.Services.GetRequiredService<DockerEngine>(), Log.Logger);
    await app.Services.GetRequiredService<PeerFirewall>().RestoreAllAsync(CancellationToken.None); // iptables forgets them at a reboot
    await app.Services.GetRequiredService<Reconciler>().ReconcileAllAsync(CancellationToken.None);

    socket.PrepareForBind();
    await app.StartAsync();
    socket.AfterBind();
    app.Services.GetRequiredService<DeployJobs>().ResumeHolds();
    Log.Information("podlift-agent {Version} listening on {Socket}", AgentService.Version, socket.Path);
    await app.WaitForShutdownAsync();
    return 0;
}
catch (Exception e)
{
    Log.Fatal(e, "podlift-agent stopped");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

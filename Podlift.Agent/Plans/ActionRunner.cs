using Podlift.Agent.Plans.Steps;

namespace Podlift.Agent.Plans;

/// <summary>Runs one action of a plan with the step that knows how. Each step registers its own undo on the context.</summary>
public sealed class ActionRunner(
    ContainerSteps containers, HealthStep health, NetworkSteps network, DependencySteps dependencies, ReleaseStep release,
    ProxySteps proxy, HookStep hooks, RecordStep record, ReceiptSteps receipts, VerifyStep verify)
{
    public Task RunAsync(PlanAction action, ExecutionContext context, CancellationToken cancellationToken) => action switch
    {
        RunHooks a => hooks.RunAsync(a, context, cancellationToken),
        Say a => Say(a, context),
        EnsureNetwork a => network.EnsureNetworkAsync(a, context, cancellationToken),
        ApplyFirewall a => network.ApplyFirewallAsync(a, context, cancellationToken),
        EnsureDependency a => dependencies.EnsureAsync(a, context, cancellationToken),
        StartStopped a => containers.StartStoppedAsync(a, context, cancellationToken),
        MoveAside a => containers.MoveAsideAsync(a, context, cancellationToken),
        CreateContainer a => containers.CreateAsync(a, context, cancellationToken),
        CheckHealth a => health.CheckAsync(a, context, cancellationToken),
        RunRelease a => release.RunAsync(a, context, cancellationToken),
        AwaitPrimary a => proxy.AwaitPrimaryAsync(a, context, cancellationToken),
        AwaitGo a => proxy.AwaitGoAsync(a, context, cancellationToken),
        SwitchProxy a => proxy.SwitchAsync(a, context, cancellationToken),
        Drain a => proxy.DrainAsync(a, context, cancellationToken),
        ReapplyProxy => proxy.ReapplyAsync(cancellationToken),
        RestoreDependency a => dependencies.RestoreAsync(a, cancellationToken),
        StopContainer a => containers.StopAsync(a, context, cancellationToken),
        RemoveContainer a => containers.RemoveAsync(a, context, cancellationToken),
        RemoveImage a => containers.RemoveImageAsync(a, cancellationToken),
        RetireDependencies => dependencies.RetireAsync(context, cancellationToken),
        RenameContainer a => containers.RenameAsync(a, context, cancellationToken),
        RecordDeployment => record.RecordAsync(context, cancellationToken),
        OpenSwitchWindow => receipts.OpenAsync(context),
        CloseSwitchWindow a => receipts.CloseAsync(a, context),
        VerifyNewVersion a => verify.VerifyAsync(a, context, cancellationToken),
        RecordCanary a => record.RecordCanaryAsync(a, context, cancellationToken),
        WatchCanary a => verify.WatchCanaryAsync(a, context, cancellationToken),
        _ => throw new NotSupportedException($"no step runs {action.GetType().Name}"),
    };

    private static Task Say(Say action, ExecutionContext context)
    {
        context.Progress.Say(action.Level, action.Text);
        return Task.CompletedTask;
    }
}

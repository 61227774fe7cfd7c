using System.Diagnostics;
using Google.Protobuf;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Cli.Delivery;
using Podlift.Protocol;
using Podlift.Cli.Jobs;

namespace Podlift.Cli.Commands;

/// <param name="Parallel">--parallel; <paramref name="Atomic"/>: --atomic. Neither: podlift.yml's rollout: decides.</param>
public sealed record DeployOptions(bool SkipBuild, bool SkipHealthcheck, bool Parallel = false, bool Atomic = false)
{
    public Rollout RolloutFor(PodliftConfig config)
    {
        var rollout = Atomic ? Rollout.Atomic : Parallel ? Rollout.Parallel : config.Rollout;
        // the primary's verification must end before another server takes the new version: only a serial rollout waits for it
        if (config.Verify is not null && rollout != Rollout.Serial && config.Servers.Count > 1)
            throw new ValidationException($"verify: watches the new version on the primary before any other server takes it, so it needs a serial rollout, not {rollout.ToString().ToLowerInvariant()}",
                "deploy without --parallel/--atomic (and without rollout: parallel/atomic), or remove verify:");
        return rollout;
    }
}

/// <summary>
/// `podlift deploy`: validate, build once, then every server: transfer the image and let its agent
/// switch with zero downtime. Serial by default (the primary first; the first failure stops the run
/// before the next server is touched), all at once with --parallel, or all at once and all or nothing
/// with --atomic (<see cref="AtomicRollout"/>). A non-primary web server's new containers join the
/// primary's load balancer only once healthy, and its old ones leave it before they stop.
/// </summary>
public sealed class DeployCommand(ConsoleOutput output, SshSettings ssh)
{
    private const int TotalSteps = 7;

    public async Task RunAsync(PodliftConfig config, DeployOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        output.Line($"Deploying {config.App} to {string.Join(", ", config.Servers)}...");

        output.Step(1, TotalSteps, "Validate");
        // the connections, the git facts and the image are got at the same time; nothing on a server changes before all are checked
        var connecting = ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        using var docker = new LocalDocker();
        using var stopPreparing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buildLines = new HeldLines(output.Detail);
        Task<PreparedImage>? preparing = null;
        Task<IReadOnlyDictionary<string, ServerNeeds>>? needing = null;
        try
        {
            var commit = await Git.CleanHeadAsync(config.ProjectDirectory, cancellationToken);
            output.Ok($"git tree clean at {commit.ShortSha} \"{commit.Subject}\"");
            var deployedBy = Git.UserNameAsync(config.ProjectDirectory, cancellationToken);
            var source = Git.SourceAsync(config.ProjectDirectory, cancellationToken);
            var release = new Release(commit.ShortSha, Release.ImageTag(config.Image, commit.ShortSha), await deployedBy ?? Environment.UserName, commit.Subject, await source);
            var rollout = options.RolloutFor(config);
            var atomic = AtomicRollout.AppliesTo(config, rollout);
            var registry = config.Registry is { } registryConfig ? new RegistryTransfer(docker, registryConfig) : null;
            if (registry is not null)
            {
                await registry.CheckLoginAsync(cancellationToken);
                output.Ok($"registry {config.Registry}: login accepted");
            }
            // the local build does not wait for the servers' checks; what it prints waits for its step
            preparing = PrepareImageAsync(docker, config, release, options, registry is null, buildLines.Add, stopPreparing.Token);

            await using var sessions = await connecting;
            foreach (var session in sessions)
                output.Ok($"{session.Target.Label}: podlift-agent {session.Hello!.AgentVersion}, Docker {session.Hello.DockerVersion}, nginx {session.Hello.NginxVersion}");
            CapabilityCheck.Require("podlift deploy", sessions.Select(session => session.Needs(
                CapabilityNeeds.ForDeploy(DeployPlanner.For(config, session.Server, sessions.Addresses(), release, options.SkipHealthcheck, atomic),
                    config.Registry is not null))).ToList(), output);
            // what each server lacks is asked while the checks run (only reads): Docker's push waits for it
            needing = registry is null ? NeedsAsync(docker, release.Image, sessions, preparing, cancellationToken) : null;
            await Task.WhenAll(AppNameCheck.EnsureOursAsync(config, sessions, release.Source, cancellationToken), SiteCheck.EnsureFreeAsync(config, sessions, cancellationToken));

            output.Step(2, TotalSteps, "Build (local)");
            buildLines.Release();
            var prepared = await preparing;
            await using var layerPush = prepared.Push;
            output.Ok(prepared.Message);
            if (registry is not null) await PushAsync(registry, release, cancellationToken);

            // the primary first: its load balancer must run before other servers offer it backends
            var ordered = sessions.PrimaryFirst(config.Primary);
            var primary = ordered[0];
            var run = new Run(config, release, options, docker, registry, primary, sessions.Addresses(), cancellationToken)
            {
                Push = layerPush,
                Needs = needing is null ? null : await needing,
                Atomic = atomic ? new AtomicRollout(config.App, ordered, primary, cancellationToken) : null,
            };
            var outcomes = (atomic || rollout == Rollout.Parallel) && ordered.Count > 1
                ? await InParallelAsync(run, ordered)
                : await SeriallyAsync(run, ordered);
            if (layerPush is not null) await layerPush.FinishAsync(output);

            output.Line();
            output.Ok(sessions.Count > 1 ? "All servers deployed successfully!" : "Deployment successful!");
            output.Line($"Version:  {release.Version} \"{release.CommitMessage}\"");
            var previous = outcomes.Select(o => o.PreviousVersion).FirstOrDefault(v => v.Length > 0);
            output.Line($"Previous: {previous ?? "(first deploy)"}");
            output.Line($"URL:      http://{config.Domain ?? primary.Target.Address}");
            if (Receipts.Summary(outcomes.Select(o => o.Receipt)) is { } served) output.Line($"Switch:   {served}");
            output.Line($"Time:     {Format.Duration(clock.Elapsed)}");
        }
        catch
        {
            await stopPreparing.CancelAsync();
            await Quietly(connecting, sessions => sessions.DisposeAsync());
            if (preparing is not null) await Quietly(preparing, prepared => prepared.Push?.DisposeAsync() ?? ValueTask.CompletedTask);
            if (needing is not null) await Quietly(needing, _ => ValueTask.CompletedTask);
            throw;
        }
    }

    /// <summary>A task this run started and no longer needs: awaited, what it made released, its failure not the one to report.</summary>
    private static async Task Quietly<T>(Task<T> task, Func<T, ValueTask> release)
    {
        try
        {
            await release(await task);
        }
        catch (Exception) { }
    }

    /// <summary>The image built (or found), and Docker's push of it to this process started (without a registry).</summary>
    private sealed record PreparedImage(string Message, LayerPush? Push);

    private static async Task<PreparedImage> PrepareImageAsync(LocalDocker docker, PodliftConfig config, Release release, DeployOptions options, bool direct,
        Action<string> onBuildLine, CancellationToken cancellationToken)
    {
        var message = await BuildAsync(docker, config, release, options, onBuildLine, cancellationToken);
        return new PreparedImage(message, direct && LayerPush.Enabled() ? LayerPush.Start(docker, release.Image, cancellationToken) : null);
    }

    /// <summary>What each server lacks of the image, asked of all at once once it is built; Docker's push is then told what to bring.</summary>
    private async Task<IReadOnlyDictionary<string, ServerNeeds>> NeedsAsync(LocalDocker docker, string image, IReadOnlyList<ServerSession> sessions,
        Task<PreparedImage> preparing, CancellationToken cancellationToken)
    {
        var push = (await preparing).Push;
        var transfer = new ImageTransfer(docker, output);
        var diffIds = await docker.LayersAsync(image, cancellationToken);
        var needs = await Task.WhenAll(sessions.Select(async session => (session.Server.Host, Needs: await transfer.NeedsAsync(session, image, diffIds, cancellationToken))));
        push?.Serve(needs.Where(n => n.Needs.TakesPush).Select(n => n.Needs.Selection));
        return needs.ToDictionary(n => n.Host, n => n.Needs);
    }

    /// <summary>Lines that arrive before their step is printed wait for it; after that they are printed as they come.</summary>
    private sealed class HeldLines(Action<string> print)
    {
        private List<string>? _held = [];

        public void Add(string line)
        {
            lock (this)
            {
                if (_held is null) print(line);
                else _held.Add(line);
            }
        }

        public void Release()
        {
            lock (this)
            {
                foreach (var line in _held ?? []) print(line);
                _held = null;
            }
        }
    }

    private sealed record Run(PodliftConfig Config, Release Release, DeployOptions Options, LocalDocker Docker, RegistryTransfer? Registry,
        ServerSession Primary, IReadOnlyDictionary<ServerConfig, string> Addresses, CancellationToken Cancellation)
    {
        /// <summary>With --parallel and no registry: the servers that need the image share one save of it.</summary>
        public SharedSave? Save { get; init; }

        /// <summary>Without a registry: Docker's push of the image to this process, from which servers take the layers they lack.</summary>
        public LayerPush? Push { get; init; }

        /// <summary>Without a registry: what each server (by host) lacks of the image, asked before any transfer.</summary>
        public IReadOnlyDictionary<string, ServerNeeds>? Needs { get; init; }

        public AtomicRollout? Atomic { get; init; }

        /// <summary>Set once the primary's release command ran (at once without one): other servers join its load balancer only then.</summary>
        public TaskCompletionSource<bool> PrimaryReady { get; } = PrimaryReadySource(Config);

        private static TaskCompletionSource<bool> PrimaryReadySource(PodliftConfig config)
        {
            var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (config.Release is null) ready.SetResult(true);
            return ready;
        }

        /// <summary>Watches the primary's events for the end of its release step.</summary>
        public void OnPrimaryEvent(DeployEvent deployEvent)
        {
            Atomic?.OnPrimaryEvent(deployEvent);
            if (deployEvent.StepFinished?.Step == DeployStep.Release) PrimaryReady.TrySetResult(true);
            else if (deployEvent.Finished is { } finished) PrimaryReady.TrySetResult(finished.Success);
        }
    }

    private async Task<IReadOnlyList<DeployFinished>> SeriallyAsync(Run run, IReadOnlyList<ServerSession> sessions)
    {
        var outcomes = new List<DeployFinished>();
        foreach (var session in sessions)
        {
            if (sessions.Count > 1) output.Line($"Deploying to {session.Server.Host}...");
            try
            {
                outcomes.Add(await DeployToAsync(run, session, output));
            }
            catch (PodliftException) when (sessions.Count > 1)
            {
                await PrintWhatRunsAsync(run, sessions);
                throw;
            }
            if (sessions.Count > 1) output.Ok("Complete");
        }
        return outcomes;
    }

    private async Task<IReadOnlyList<DeployFinished>> InParallelAsync(Run run, IReadOnlyList<ServerSession> sessions)
    {
        output.Line(run.Atomic is null ? "Deploying to all servers in parallel..." : "Deploying to all servers at once; nothing switches until every one is ready (atomic)...");
        await using var save = run.Registry is null
            ? new SharedSave(token => run.Docker.SaveAsync(run.Release.Image, token), sessions.Select(s => s.Server.Host))
            : null;
        run = run with { Save = save };
        // on a terminal, one live line per server; otherwise (CI, --json) plain lines led by the server
        using var board = Console.IsOutputRedirected || output.Json ? null : new ProgressBoard(Console.Out, sessions.Select(s => s.Server.Host).ToList());
        var results = await Task.WhenAll(sessions.Select(async session =>
        {
            var prefixed = board is null
                ? output.WithPrefix($"{session.Server.Host}: ")
                : new ConsoleOutput(board.WriterFor(session.Server.Host), Console.Error, verbose: false);
            try
            {
                return (Session: session, Finished: await DeployToAsync(run, session, prefixed), Error: (PodliftException?)null);
            }
            catch (PodliftException e)
            {
                prefixed.Error(e);
                return (Session: session, Finished: (DeployFinished?)null, Error: e);
            }
        }));
        board?.Dispose();

        output.Line();
        foreach (var (session, finished, error) in results)
        {
            if (error is null) output.Ok($"{session.Server.Host}: {finished!.Version} deployed ({Format.Duration(TimeSpan.FromMilliseconds(finished.DurationMilliseconds))})");
            else output.Fail($"{session.Server.Host}: failed: {error.Message.Split('\n')[0]}");
        }
        var failed = results.Where(r => r.Error is not null).ToList();
        if (failed.Count > 0)
        {
            if (run.Atomic?.StoppedBecause is { } stopped) output.Fail($"atomic rollout stopped before any server switched: {stopped}");
            await PrintWhatRunsAsync(run, sessions);
            throw new DeploymentException($"{failed.Count} of {results.Length} servers failed: {string.Join(", ", failed.Select(f => f.Session.Server.Host))}",
                failed[0].Error!.ExitCode == ExitCode.Connection ? "check the connection to those servers, then deploy again" : LogsHint(run.Config));
        }
        return results.Select(r => r.Finished!).ToList();
    }

    private async Task<DeployFinished> DeployToAsync(Run run, ServerSession session, ConsoleOutput console)
    {
        var isPrimary = session == run.Primary;
        var succeeded = false;
        try
        {
            try
            {
                await TransferAsync(run, session, console);
            }
            finally
            {
                run.Save?.Decline(session.Server.Host); // taken, or never needed: either way the others do not wait for this server
            }
            var plan = DeployPlanner.For(run.Config, session.Server, run.Addresses, run.Release, run.Options.SkipHealthcheck, run.Atomic is not null);
            var finished = await JobWatcher.WatchAsync(session.Server.Host, session.Agent.Deploy(plan, run.Cancellation),
                console, LogsHint(run.Config), run.Cancellation,
                run.Atomic?.For(session, console) ?? new PrimaryHandoff(run.Config, run.Primary, run.PrimaryReady.Task, run.Cancellation).For(session, console),
                isPrimary ? run.OnPrimaryEvent : null);
            succeeded = true;
            return finished;
        }
        finally
        {
            if (isPrimary) run.PrimaryReady.TrySetResult(false); // ended before its release finished: no server waits for it
            run.Atomic?.Ended(session, succeeded);
        }
    }

    /// <summary>After a failure: which version each server runs now, as its agent says.</summary>
    private async Task PrintWhatRunsAsync(Run run, IReadOnlyList<ServerSession> sessions)
    {
        output.Line("What each server runs now:");
        foreach (var session in sessions)
        {
            try
            {
                var current = (await session.AppStateAsync(run.Config.App, CancellationToken.None))?.Current?.Version;
                var mark = current == run.Release.Version ? "✓" : "-";
                output.Line($"  {mark} {session.Server.Host}: {(string.IsNullOrEmpty(current) ? "nothing deployed" : current)}{(current == run.Release.Version ? " (new)" : "")}");
            }
            catch (AgentCallException)
            {
                output.Line($"  ? {session.Server.Host}: unreachable");
            }
        }
    }

    /// <returns>The line that says what was built (or found).</returns>
    private static async Task<string> BuildAsync(LocalDocker docker, PodliftConfig config, Release release, DeployOptions options, Action<string> onLine,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (options.SkipBuild)
        {
            if (await docker.ImageSizeAsync(release.Image, cancellationToken) is null)
                throw new ValidationException($"--skip-build, but there is no local image {release.Image}", "deploy once without --skip-build to build it");
            return $"{release.Image} already built (--skip-build)";
        }
        await docker.BuildAsync(config.ProjectDirectory, release.Image, release.Version, onLine, cancellationToken);
        var size = await docker.ImageSizeAsync(release.Image, cancellationToken) ?? 0;
        return $"{release.Image} built ({Format.Bytes(size)}, {Format.Duration(clock.Elapsed)})";
    }

    private async Task PushAsync(RegistryTransfer registry, Release release, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (reference, pushed) = await registry.PushAsync(release.Image, output, cancellationToken);
        var already = pushed.AlreadyThere > 0 ? $", {pushed.AlreadyThere} already there" : "";
        output.Ok($"{reference} pushed: {pushed.Pushed} of {pushed.Layers} layers ({Format.Bytes(pushed.BytesPushed)}){already} ({Format.Duration(clock.Elapsed)})");
    }

    private static async Task TransferAsync(Run run, ServerSession session, ConsoleOutput output)
    {
        var (host, image, cancellationToken) = (session.Server.Host, run.Release.Image, run.Cancellation);
        var transfer = new ImageTransfer(run.Docker, output);
        output.Step(3, TotalSteps, "Transfer");
        string loaded;
        var needs = run.Needs?[host];
        if (needs?.OnServer ?? await transfer.IsOnServerAsync(session, image, cancellationToken))
        {
            run.Save?.Decline(host);
            output.Ok($"{image} is already on {host}: nothing to send");
            loaded = "nothing to load";
        }
        else if (run.Registry is { } registry)
        {
            var pulled = await registry.PullAsync(session, image, output, cancellationToken);
            var elapsed = TimeSpan.FromMilliseconds(pulled.PullMilliseconds);
            output.Ok($"{host} pulled {image} from {registry.Server}: {Describe(pulled)} ({Format.Duration(elapsed)})");
            loaded = $"{image} pulled and unpacked by Docker ({Format.Duration(elapsed)})";
        }
        else
        {
            var sent = await transfer.SendAsync(session, image, needs!, cancellationToken, run.Save, run.Push);
            output.Ok($"{Format.Bytes(sent.WireBytes)} sent to {host}: {Describe(sent)} ({Format.Duration(sent.Elapsed)}, {TransferProgress.Rate(sent.WireBytes, sent.Elapsed)})");
            loaded = $"{image} loaded ({Format.Duration(sent.Load)})";
        }
        await SendDependencyImagesAsync(transfer, run.Docker, session, run.Config, output, cancellationToken);

        output.Step(4, TotalSteps, "Load");
        output.Ok(loaded);
    }

    /// <summary>Without a registry, dependency images the server lacks come from the local Docker, like the app's.</summary>
    private static async Task SendDependencyImagesAsync(ImageTransfer transfer, LocalDocker docker, ServerSession session, PodliftConfig config,
        ConsoleOutput output, CancellationToken cancellationToken)
    {
        foreach (var image in config.DependenciesOn(session.Server).Select(d => d.Image).Distinct())
        {
            if (await transfer.IsOnServerAsync(session, image, cancellationToken)) continue;
            if (await docker.ImageSizeAsync(image, cancellationToken) is null)
            {
                output.Warn($"{image} is neither on {session.Server.Host} nor in the local Docker; `docker pull {image}` locally so podlift can send it");
                continue;
            }
            var needs = await transfer.NeedsAsync(session, image, await docker.LayersAsync(image, cancellationToken), cancellationToken);
            var sent = await transfer.SendAsync(session, image, needs, cancellationToken);
            output.Ok($"{image} (dependency): {Format.Bytes(sent.WireBytes)} sent: {Describe(sent)} ({Format.Duration(sent.Elapsed)})");
        }
    }

    /// <summary>"1 of 3 layers downloaded (2.1 MB), 2 already there".</summary>
    public static string Describe(PullProgress pulled)
    {
        var downloaded = pulled.Layers - pulled.LayersPresent;
        var already = pulled.LayersPresent > 0 ? $", {pulled.LayersPresent} already there" : "";
        return $"{downloaded} of {pulled.Layers} layers downloaded ({Format.Bytes(pulled.BytesDownloaded)}){already}";
    }

    /// <summary>"1 of 3 layers, 2 already there (57.2 MB not sent), zstd"; pushed: "1 of 3 layers, 2 already there, from Docker's push (gzip)".</summary>
    public static string Describe(ImageTransfer.Sent sent)
    {
        var layers = sent.Layers;
        var notSent = layers.BytesOmitted > 0 ? $" ({Format.Bytes(layers.BytesOmitted)} not sent)" : "";
        var already = layers.LayersOmitted > 0 ? $", {layers.LayersOmitted} already there{notSent}" : "";
        var fellBack = sent.FellBack ? ", full image after a refused partial load" : "";
        var how = sent.Route == TransferRoute.Push ? "from Docker's push (gzip)" : WireCompression.Name(sent.Compression);
        return $"{layers.LayersSent} of {sent.LayerCount} layers{already}, {how}{fellBack}";
    }

    public static string LogsHint(PodliftConfig config) => $"Check logs: podlift logs {config.RoutedService?.Name ?? config.Services[0].Name}";
}

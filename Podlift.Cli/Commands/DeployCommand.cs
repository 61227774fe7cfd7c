using System.Diagnostics;
using Google.Protobuf;
using Podlift.Cli.Building;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Notifications;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Cli.Delivery;
using Podlift.Protocol;
using Podlift.Cli.Jobs;

namespace Podlift.Cli.Commands;

/// <param name="Parallel">--parallel; with <paramref name="Batch"/> (--parallel N): N servers at a time. <paramref name="Atomic"/>: --atomic.
/// No flag: podlift.yml's rollout: decides.
/// <paramref name="Canary"/>: --canary, the new version beside the old for a share of clients.</param>
public sealed record DeployOptions(bool SkipBuild, bool SkipHealthcheck, bool Parallel = false, bool Atomic = false, int? Batch = null, CanaryRollout? Canary = null)
{
    /// <summary>`podlift promote` on several servers: the primary promotes its canary, the others deploy its version after it.</summary>
    public bool PromotesCanary { get; init; }

    public Rollout RolloutFor(PodliftConfig config)
    {
        if (Parallel && Atomic)
            throw new ConfigurationException("--parallel and --atomic are two different rollouts", "pick one: --atomic (all or nothing) or --parallel [N] (all at once, or N servers at a time)");
        if (Canary is not null && (Parallel || Atomic))
            throw new ConfigurationException($"--canary and {(Atomic ? "--atomic" : "--parallel")} are two different rollouts", "pick one: --canary 10% lets a share of clients try the new version first");
        if (Canary is not null && !SiteCheck.RoutesOn(config, config.Primary))
            throw new ValidationException($"--canary: the canary's containers run on the primary, behind its load balancer, and podlift.yml runs no routed service on {config.Primary.Host}",
                "run the web service on the primary too, or deploy without --canary (--atomic with verify:, or batches)");
        if (Canary is not null) return Rollout.Serial;
        if (Batch is < 1)
            throw new ConfigurationException($"--parallel {Batch}: a batch needs at least one server", "for example: --parallel 2 (two servers at a time), or --parallel alone for all at once");
        var rollout = Atomic ? Rollout.Atomic : Batch is not null ? Rollout.Batches : Parallel ? Rollout.Parallel : config.Rollout;
        // the primary's verification must end before another server takes the new version: a serial rollout waits for it,
        // and so do batches whose first is the primary alone
        var waitsForThePrimary = rollout == Rollout.Serial || rollout == Rollout.Batches && BatchesFor(config, rollout)!.Size.For(config.Servers.Count) == 1;
        if (config.Verify is not null && !waitsForThePrimary && config.Servers.Count > 1)
            throw new ValidationException($"verify: watches the new version on the primary before any other server takes it, so it needs a serial rollout, not {Describe(rollout, config)}",
                "deploy without --parallel/--atomic (and without rollout: parallel/atomic), with --parallel 1, or remove verify:");
        return rollout;
    }

    /// <summary>The batches of a batch rollout (--parallel N, or podlift.yml's); null for the others.</summary>
    public BatchRollout? BatchesFor(PodliftConfig config) => BatchesFor(config, RolloutFor(config));

    private BatchRollout? BatchesFor(PodliftConfig config, Rollout rollout) => rollout != Rollout.Batches
        ? null
        : Batch is { } servers ? new BatchRollout(BatchSize.Count(servers), TimeSpan.Zero) : config.Batches;

    private string Describe(Rollout rollout, PodliftConfig config) =>
        rollout == Rollout.Batches ? $"batches of {BatchesFor(config, rollout)!.Size}" : rollout.ToString().ToLowerInvariant();
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

    /// <summary>The deploy, its events posted to podlift.yml's notify: URLs (started once the release is known, then succeeded or failed).</summary>
    public Task RunAsync(PodliftConfig config, DeployOptions options, CancellationToken cancellationToken) =>
        Notices.RunAsync(config, output, Notices.Deploy, notices => DeployAsync(config, options, notices, cancellationToken));

    /// <summary>`podlift promote` on several servers: a deploy of the canary's version (built when the canary was) in which the primary promotes its canary.</summary>
    public Task PromoteAsync(PodliftConfig config, Notices notices, CancellationToken cancellationToken) =>
        DeployAsync(config, new DeployOptions(SkipBuild: true, SkipHealthcheck: false) { PromotesCanary = true }, notices, cancellationToken);

    private async Task DeployAsync(PodliftConfig config, DeployOptions options, Notices notices, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var rollout = options.RolloutFor(config); // bad flags are refused before anything is read
        output.Line($"Deploying {config.App} to {string.Join(", ", config.Servers)}{(options.Canary is { } asked ? $" as a {asked}" : "")}...");

        output.Step(1, TotalSteps, "Validate");
        // the connections and the git facts are got at the same time; nothing on a server changes before all are checked
        var connecting = ServerSession.ConnectAllAsync(config.Servers, ssh, cancellationToken);
        Task<IReadOnlyDictionary<string, ServerNeeds>>? earlyNeeds = null;
        try
        {
            var commit = await Git.CleanHeadAsync(config.ProjectDirectory, cancellationToken);
            output.Ok($"git tree clean at {commit.ShortSha} \"{commit.Subject}\"");
            var userName = Git.UserNameAsync(config.ProjectDirectory, cancellationToken);
            var source = Git.SourceAsync(config.ProjectDirectory, cancellationToken);
            var deployedBy = await userName ?? Environment.UserName;
            var release = new Release(commit.ShortSha, Release.ImageTag(config.Image, commit.ShortSha), deployedBy, commit.Subject, await source);
            using var docker = new LocalDocker();
            // while the servers connect: the local Docker client's first call (for a deploy that builds, the image is not
            // there yet and only the connection warms), and with --skip-build Docker's push, the image being final. The
            // push's questions wait for what the servers lack; it is local work only, stopped if a check refuses the deploy
            // or the servers need another way (a mixed fleet); a stopped push costs the next deploy a second push, once.
            var warmedUp = docker.WarmUpAsync(release.Image, cancellationToken);
            await using var earlyPush = options.SkipBuild && config.Registry is null && LayerPush.Enabled() ? LayerPush.Start(docker, release.Image, cancellationToken) : null;
            await using var sessions = await connecting;
            foreach (var session in sessions)
                output.Ok($"{session.Target.Label}: podlift-agent {session.Hello!.AgentVersion}, Docker {session.Hello.DockerVersion}, nginx {session.Hello.NginxVersion}");
            // refused before the image is built, pushed or sent, not after: the agent's lock would refuse it then
            if (DeployLock.Refusal(config.App, sessions.Select(s => (s.Server.Host, s.Hello!))) is { } locked) throw locked;

            var atomic = AtomicRollout.AppliesTo(config, rollout);
            await notices.StartedAsync([.. Notices.Subject(config, release.Version, deployedBy), ("message", release.CommitMessage)],
                ("rollout", options.Canary is not null ? "canary" : rollout.ToString().ToLowerInvariant()));
            CapabilityCheck.Require(options.PromotesCanary ? "podlift promote" : "podlift deploy", sessions.Select(session => session.Needs([
                .. CapabilityNeeds.ForDeploy(DeployPlanner.For(config, session.Server, sessions.Addresses(), release, options.SkipHealthcheck, atomic, options.Canary),
                    config.Registry is not null),
                .. options.PromotesCanary && session.Server == config.Primary ? CapabilityNeeds.ForPromote() : []])).ToList(), output);
            // the platform each server needs is known only from its connection: nothing is built before
            var images = new PlatformImages(PlatformPlan.Decide(sessions.Select(s => (s.Server, s.Hello!.Architecture)).ToList(), config.BuildPlatform, release.Image), docker.TagAsync);
            // one platform, no registry: every server's image is the one built, pushed by Docker to this process for the layers
            // each lacks (a mixed fleet's servers are sent their platform's image in their turn, by a save stream)
            var direct = config.Registry is null && !images.Plan.Mixed;
            // the primary first: its load balancer must run before other servers offer it backends; a canary runs on the primary alone
            var ordered = options.Canary is null ? sessions.PrimaryFirst(config.Primary) : [sessions.First(s => s.Server == config.Primary)];
            // with --skip-build the image is final: what each server lacks is asked while the checks read (a question: nothing changes)
            earlyNeeds = options.SkipBuild && direct ? NeedsAsync(docker, release.Image, ordered, earlyPush, cancellationToken) : null;
            var apps = await ServerApps.ReadAsync(config, sessions, cancellationToken);
            AppNameCheck.EnsureOurs(config, apps, release.Source);
            SiteCheck.EnsureFree(config, apps);
            if (options.PromotesCanary) CanaryCheck.EnsurePromotable(config, apps, release.Version);
            else CanaryCheck.EnsureNoneServes(config, apps);

            var builder = new ImageBuilder(docker, output);
            await warmedUp;
            await builder.CheckAsync(config, images.Plan, options.SkipBuild, cancellationToken);
            var registry = config.Registry is { } registryConfig ? new RegistryTransfer(docker, registryConfig) : null;
            if (registry is not null)
            {
                await registry.CheckLoginAsync(cancellationToken);
                output.Ok($"registry {config.Registry}: login accepted");
            }
            output.Step(2, TotalSteps, "Build (local)");
            await builder.BuildAsync(config, release, images.Plan, options.SkipBuild, cancellationToken);
            if (registry is not null)
                foreach (var platform in images.Plan.Platforms) await PushAsync(registry, images.Plan.LocalImage(platform), cancellationToken);

            if (!direct && earlyPush is not null) await earlyPush.DisposeAsync();
            await using var startedPush = direct && LayerPush.Enabled() ? earlyPush ?? LayerPush.Start(docker, release.Image, cancellationToken) : null;
            var needs = direct ? await (earlyNeeds ?? NeedsAsync(docker, release.Image, ordered, startedPush, cancellationToken)) : null;
            // started before the servers were asked, so that it overlaps their answers. When every server has the image
            // already (a redeploy of the same commit, --skip-build), it is stopped at once instead of waited for. A first
            // deploy's push goes on although the save stream sends the image: Docker learns the digests the next deploy needs.
            // (Started after the transfers instead, it slowed a 500 MB first deploy here from 34 to 77 s: docs/performance.md.)
            var layerPush = needs is not null && needs.Values.All(n => n.OnServer) ? null : startedPush;
            if (startedPush is not null && layerPush is null) await startedPush.DisposeAsync();

            var primary = ordered[0];
            var run = new Run(config, release, options, docker, registry, primary, sessions.Addresses(), cancellationToken)
            {
                Images = images,
                Push = layerPush,
                Needs = needs,
                Atomic = atomic ? new AtomicRollout(config.App, ordered, primary, cancellationToken) : null,
            };
            var outcomes = ordered.Count == 1 ? await SeriallyAsync(run, ordered) : rollout switch
            {
                Rollout.Atomic or Rollout.Parallel => await InParallelAsync(run, ordered, ordered),
                Rollout.Batches => await InBatchesAsync(run, ordered, options.BatchesFor(config)!),
                _ => await SeriallyAsync(run, ordered),
            };
            if (layerPush is not null) await layerPush.FinishAsync(output);

            output.Line();
            if (outcomes[0].Canary is { Status: CanaryStatus.Serving } serving)
            {
                PrintCanary(release, serving, clock.Elapsed);
                await notices.CanaryAsync(("share", Shares.Format(serving.Share)), ("beside", serving.StandsBeside));
                return;
            }
            output.Ok(outcomes[0].Canary is { Status: CanaryStatus.Promoted } ? "Canary held and promoted: deployment successful!"
                : sessions.Count > 1 ? "All servers deployed successfully!" : "Deployment successful!");
            output.Line($"Version:  {release.Version} \"{release.CommitMessage}\"");
            var previous = outcomes.Select(o => o.PreviousVersion).FirstOrDefault(v => v.Length > 0);
            output.Line($"Previous: {previous ?? "(first deploy)"}");
            var url = $"http://{config.Domain ?? primary.Target.Address}";
            output.Line($"URL:      {url}");
            if (Receipts.Summary(outcomes.Select(o => o.Receipt)) is { } served) output.Line($"Switch:   {served}");
            output.Line($"Time:     {Format.Duration(clock.Elapsed)}");
            await notices.SucceededAsync(("previous", previous), ("url", url));
        }
        catch
        {
            // a failure before the connections were taken over leaves them open: they are closed (a started push is stopped by its await using)
            await Quietly(connecting, sessions => sessions.DisposeAsync());
            if (earlyNeeds is not null) await Quietly(earlyNeeds, _ => ValueTask.CompletedTask); // a check refused first: its error is the one to report
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

    /// <summary>What each server lacks of the image, asked of all at once; Docker's push, if started, is then told what to bring.</summary>
    private async Task<IReadOnlyDictionary<string, ServerNeeds>> NeedsAsync(LocalDocker docker, string image, IReadOnlyList<ServerSession> sessions,
        LayerPush? push, CancellationToken cancellationToken)
    {
        var transfer = new ImageTransfer(docker, output);
        var diffIds = await docker.LayersAsync(image, cancellationToken);
        var needs = await Task.WhenAll(sessions.Select(async session => (session.Server.Host, Needs: await transfer.NeedsAsync(session, image, diffIds, cancellationToken))));
        push?.Serve(needs.Where(n => n.Needs.TakesPush).Select(n => n.Needs.Selection));
        return needs.ToDictionary(n => n.Host, n => n.Needs);
    }

    private void PrintCanary(Release release, CanaryOutcome canary, TimeSpan elapsed)
    {
        output.Ok("Canary serving!");
        output.Line($"Version:  {release.Version} \"{release.CommitMessage}\", for {Shares.Format(canary.Share)} of fresh clients");
        output.Line($"Beside:   {canary.StandsBeside}, for every other client (a cookie keeps each client on its side)");
        if (canary.Watched is { Detail.Length: > 0 } watched) output.Line($"Hold:     {watched.Detail}");
        output.Line("Next:     podlift promote    (every client to the canary, with zero downtime)");
        output.Line("          podlift rollback   (remove it: every client back on the version beside it)");
        output.Line($"Time:     {Format.Duration(elapsed)}");
    }

    private sealed record Run(PodliftConfig Config, Release Release, DeployOptions Options, LocalDocker Docker, RegistryTransfer? Registry,
        ServerSession Primary, IReadOnlyDictionary<ServerConfig, string> Addresses, CancellationToken Cancellation)
    {
        /// <summary>With --parallel and no registry: the servers that need the image share one save of it.</summary>
        public SharedSave? Save { get; init; }

        /// <summary>Each server's image, of its platform, named as the release names it.</summary>
        public required PlatformImages Images { get; init; }

        /// <summary>Without a registry, one platform: Docker's push of the image to this process, from which servers take the layers they lack.</summary>
        public LayerPush? Push { get; init; }

        /// <summary>Without a registry, one platform: what each server (by host) lacks of the image, asked before any transfer (a mixed fleet's: in its turn).</summary>
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

    /// <summary>Batch after batch, each all at once (one server: as a serial deploy); the first failed batch stops the run.</summary>
    private async Task<IReadOnlyList<DeployFinished>> InBatchesAsync(Run run, IReadOnlyList<ServerSession> sessions, BatchRollout rollout)
    {
        var batches = rollout.Split(sessions);
        var outcomes = new List<DeployFinished>();
        for (var i = 0; i < batches.Count; i++)
        {
            var batch = batches[i];
            output.Line($"Batch {i + 1} of {batches.Count}: {string.Join(", ", batch.Select(s => s.Server.Host))}...");
            try
            {
                outcomes.AddRange(batch.Count > 1 ? await InParallelAsync(run, batch, sessions) : [await DeployToAsync(run, batch[0], output)]);
            }
            catch (PodliftException)
            {
                var untouched = batches.Skip(i + 1).Sum(b => b.Count);
                output.Fail($"batch {i + 1} of {batches.Count} failed; {(untouched == 0 ? "it was the last" : $"the {untouched} server{(untouched == 1 ? "" : "s")} after it {(untouched == 1 ? "was" : "were")} not touched")}");
                if (batch.Count == 1) await PrintWhatRunsAsync(run, sessions);
                throw;
            }
            output.Ok($"Batch {i + 1} of {batches.Count} deployed");
            if (i < batches.Count - 1 && rollout.Wait > TimeSpan.Zero)
            {
                output.Line($"Waiting {Durations.Format(rollout.Wait)} before the next batch...");
                await Task.Delay(rollout.Wait, run.Cancellation);
            }
        }
        return outcomes;
    }

    /// <param name="everyone">All the run's servers: after a failure, what each of them runs is printed.</param>
    private async Task<IReadOnlyList<DeployFinished>> InParallelAsync(Run run, IReadOnlyList<ServerSession> sessions, IReadOnlyList<ServerSession> everyone)
    {
        output.Line(run.Atomic is not null ? "Deploying to all servers at once; nothing switches until every one is ready (atomic)..."
            : sessions.Count == everyone.Count ? "Deploying to all servers in parallel..." : $"Deploying to {sessions.Count} servers in parallel...");
        await using var save = run.Registry is null && !run.Images.Plan.Mixed
            ? new SharedSave(token => run.Docker.SaveAsync(run.Release.Image, token), sessions.Select(s => s.Server.Host))
            : null;
        run = run with { Save = save };
        // on a terminal, one live line per server; otherwise (CI, --json) plain lines led by the server
        using var board = output.Live ? new ProgressBoard(Console.Out, sessions.Select(s => s.Server.Host).ToList()) : null;
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
            await PrintWhatRunsAsync(run, everyone);
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
            var plan = DeployPlanner.For(run.Config, session.Server, run.Addresses, run.Release, run.Options.SkipHealthcheck, run.Atomic is not null, run.Options.Canary);
            var job = isPrimary && run.Options.PromotesCanary
                ? session.Agent.Promote(PromoteCommand.RequestFor(run.Config, run.Release.DeployedBy), run.Cancellation)
                : session.Agent.Deploy(plan, run.Cancellation);
            var finished = await JobWatcher.WatchAsync(session.Server.Host, job,
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

    /// <summary>
    /// How long the summary after a failure waits for a server's answer. The failure may be that server's Docker hanging,
    /// and the agent's read of its containers would then wait for Docker.DotNet's own 100 s.
    /// </summary>
    private static readonly TimeSpan WhatRunsAnswerWithin = TimeSpan.FromSeconds(15);

    /// <summary>After a failure: which version each server runs now, as its agent says.</summary>
    private async Task PrintWhatRunsAsync(Run run, IReadOnlyList<ServerSession> sessions)
    {
        output.Line("What each server runs now:");
        using var answerWithin = new CancellationTokenSource(WhatRunsAnswerWithin);
        var asked = sessions.Select(session => (session, state: session.AppStateAsync(run.Config.App, answerWithin.Token))).ToList();
        foreach (var (session, state) in asked)
        {
            try
            {
                var current = (await state)?.Current?.Version;
                var mark = current == run.Release.Version ? "✓" : "-";
                output.Line($"  {mark} {session.Server.Host}: {(string.IsNullOrEmpty(current) ? "nothing deployed" : current)}{(current == run.Release.Version ? " (new)" : "")}");
            }
            catch (AgentCallException)
            {
                output.Line($"  ? {session.Server.Host}: unreachable");
            }
            catch (OperationCanceledException)
            {
                output.Line($"  ? {session.Server.Host}: no answer within {WhatRunsAnswerWithin.TotalSeconds:0} s");
            }
        }
    }

    private async Task PushAsync(RegistryTransfer registry, string image, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (reference, pushed) = await registry.PushAsync(image, output, cancellationToken);
        var already = pushed.AlreadyThere > 0 ? $", {pushed.AlreadyThere} already there" : "";
        output.Ok($"{reference} pushed: {pushed.Pushed} of {pushed.Layers} layers ({Format.Bytes(pushed.BytesPushed)}){already} ({Format.Duration(clock.Elapsed)})");
    }

    private static async Task TransferAsync(Run run, ServerSession session, ConsoleOutput output)
    {
        var (host, image, cancellationToken) = (session.Server.Host, run.Release.Image, run.Cancellation);
        var transfer = new ImageTransfer(run.Docker, output);
        output.Step(3, TotalSteps, "Transfer");
        await using var turn = await run.Images.TurnAsync(session.Server, cancellationToken); // the image's name is this server's platform's image
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
            var pulled = await registry.PullAsync(session, image, output, cancellationToken, pushedAs: run.Images.Plan.LocalImage(run.Images.Plan.For(session.Server)));
            var elapsed = TimeSpan.FromMilliseconds(pulled.PullMilliseconds);
            output.Ok($"{host} pulled {image} from {registry.Server}: {Describe(pulled)} ({Format.Duration(elapsed)})");
            loaded = $"{image} pulled and unpacked by Docker ({Format.Duration(elapsed)})";
        }
        else
        {
            var sent = await transfer.SendAsync(session, image, needs ?? await transfer.NeedsAsync(session, image, cancellationToken), cancellationToken, run.Save, run.Push);
            output.Ok($"{Format.Bytes(sent.WireBytes)} sent to {host}: {Describe(sent)} ({Format.Duration(sent.Elapsed)}, {TransferProgress.Rate(sent.WireBytes, sent.Elapsed)})");
            loaded = $"{image} loaded ({Format.Duration(sent.Load)})";
        }
        await SendDependencyImagesAsync(transfer, run.Docker, session, run.Config, run.Images.Plan.For(session.Server), output, cancellationToken);

        output.Step(4, TotalSteps, "Load");
        output.Ok(loaded);
    }

    /// <summary>Without a registry, dependency images the server lacks come from the local Docker, like the app's.</summary>
    private static async Task SendDependencyImagesAsync(ImageTransfer transfer, LocalDocker docker, ServerSession session, PodliftConfig config,
        Platform platform, ConsoleOutput output, CancellationToken cancellationToken)
    {
        foreach (var image in config.DependenciesOn(session.Server).Select(d => d.Image).Distinct())
        {
            if (await transfer.IsOnServerAsync(session, image, cancellationToken)) continue;
            var local = await docker.ImagePlatformAsync(image, cancellationToken);
            if (!local.Present || local.Platform != platform)
            {
                output.Warn(local.Present
                    ? $"{image} in the local Docker is {local.Written}, not {platform} as {session.Server.Host}; `docker pull --platform {platform} {image}` locally so podlift can send it"
                    : $"{image} is neither on {session.Server.Host} nor in the local Docker; `docker pull --platform {platform} {image}` locally so podlift can send it");
                continue;
            }
            var sent = await transfer.SendAsync(session, image, await transfer.NeedsAsync(session, image, cancellationToken), cancellationToken);
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

using Podlift.Cli.Configuration;
using Podlift.Protocol;

namespace Podlift.Cli.Remote;

/// <summary>One server for the length of a command: its SSH connection and the agent's client over it.</summary>
public sealed class ServerSession : IAsyncDisposable
{
    private readonly AgentChannel _channel;

    private ServerSession(SshConnection ssh, AgentChannel channel)
    {
        Ssh = ssh;
        _channel = channel;
        Agent = new AgentClient(ssh.Server.Host, channel.Invoker);
    }

    public ServerConfig Server => Ssh.Server;

    /// <summary>Who ssh logs in as and the server's real address (not an ssh alias), resolved once per connection.</summary>
    public SshTarget Target => Ssh.Target;
    public SshConnection Ssh { get; }
    /// <summary>Every call to this server's agent goes through it.</summary>
    public AgentClient Agent { get; }
    public HelloReply? Hello { get; private set; }

    public static async Task<ServerSession> ConnectAsync(ServerConfig server, SshSettings settings, CancellationToken cancellationToken)
    {
        var ssh = await SshConnection.OpenAsync(server, settings, cancellationToken);
        return new ServerSession(ssh, new AgentChannel(ssh.AgentSocket));
    }

    /// <summary>Connects and greets the agent; the first unreachable server fails the whole set, before anything changes.</summary>
    public static async Task<ServerSessions> ConnectAllAsync(IEnumerable<ServerConfig> servers, SshSettings settings, CancellationToken cancellationToken)
    {
        var sessions = new ServerSessions();
        try
        {
            var connecting = servers.Select(async server =>
            {
                var session = await ConnectAsync(server, settings, cancellationToken);
                lock (sessions) sessions.Add(session);
                await session.HelloAsync(cancellationToken);
                return session;
            }).ToList();
            await Task.WhenAll(connecting);
            sessions.Order(servers);
            return sessions;
        }
        catch
        {
            await sessions.DisposeAsync();
            throw;
        }
    }

    /// <summary>Greets the agent; one that systemd is (re)starting is asked again (see <see cref="AgentSilence"/>).</summary>
    public async Task<HelloReply> HelloAsync(CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var pause = TimeSpan.FromMilliseconds(250); ; pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks)))
        {
            try
            {
                return Hello = await Agent.HelloAsync(cancellationToken);
            }
            catch (AgentSilentException)
            {
                var probe = await Ssh.RunAsync(AgentSilence.Script, cancellationToken: cancellationToken);
                var verdict = AgentSilence.Judge(Server.Host, Target, probe.StandardOutput, timeLeft: clock.Elapsed < AgentSilence.Bound);
                if (verdict.Error is { } error) throw error;
                Ssh.Settings.Trace?.Invoke($"{Server.Host}: podlift-agent is starting or restarting; greeting it again in {pause.TotalMilliseconds:0} ms");
                await Task.Delay(pause, cancellationToken);
            }
        }
    }

    /// <summary>Whether the agent said in Hello that it has that capability (<see cref="Capabilities"/>).</summary>
    public bool Supports(string capability) => Hello?.Capabilities.Contains(capability) ?? false;

    /// <summary>This agent, greeted, against what a command needs of it (see <see cref="CapabilityCheck"/>).</summary>
    public AgentNeeds Needs(IReadOnlyList<Planning.CapabilityNeed> needs) =>
        new(Server.Host, Hello ?? throw new InvalidOperationException($"{Server.Host}: the agent was not greeted yet"), needs);

    /// <summary>What the agent reports of one app; null when the app is not on this server.</summary>
    public async Task<AppState?> AppStateAsync(string app, CancellationToken cancellationToken) =>
        (await Agent.StateAsync(app, cancellationToken)).FirstOrDefault(a => a.App == app);

    /// <summary>Whether this server's Docker already has the image (name:tag).</summary>
    public async Task<bool> HasImageAsync(string image, CancellationToken cancellationToken) =>
        (await Agent.ImageStatusAsync(image, cancellationToken)).Present;

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await Ssh.DisposeAsync();
    }
}

public sealed class ServerSessions : List<ServerSession>, IAsyncDisposable
{
    /// <summary>Each server's address as the other servers reach it: what ssh resolves its host to.</summary>
    public IReadOnlyDictionary<ServerConfig, string> Addresses() => this.ToDictionary(session => session.Server, session => session.Target.Address);

    public void Order(IEnumerable<ServerConfig> servers)
    {
        var order = servers.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i);
        Sort((a, b) => order[a.Server].CompareTo(order[b.Server]));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in this) await session.DisposeAsync();
        Clear();
    }
}

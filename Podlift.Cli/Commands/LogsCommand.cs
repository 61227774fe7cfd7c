using Podlift.Cli.Configuration;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift logs &lt;service&gt;`: the log lines of every replica on every server that runs the service, as the
/// agents stream them, prefixed [web-1] (or [server web-1]). The containers' stderr goes to stderr, as with
/// docker logs. With --follow it streams until Ctrl-C, which ends it successfully.
/// </summary>
public sealed class LogsCommand(ConsoleOutput output, SshSettings ssh)
{
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromMilliseconds(500);

    public async Task RunAsync(PodliftConfig config, LogsOptions options, CancellationToken cancellationToken)
    {
        var target = config.Target(options.Service);
        var servers = target.Servers;
        var request = new LogsRequest
        {
            App = config.App,
            Service = target.Name,
            Dependency = target.IsDependency,
            Tail = options.Tail,
            SinceUnixSeconds = options.SinceUnixSeconds,
            Follow = options.Follow,
        };

        await using var sessions = await ServerSession.ConnectAllAsync(servers, ssh, cancellationToken);
        CapabilityCheck.Require("podlift logs", sessions.Select(s => s.Needs(CapabilityNeeds.ForLogs(target.IsDependency))).ToList(), output);
        if (!options.Follow)
        {
            await Task.WhenAll(sessions.Select(session => StreamAsync(session, request, servers.Count > 1, cancellationToken)));
            return;
        }

        using var interrupt = new InterruptSignal(cancellationToken);
        try
        {
            await Task.WhenAll(sessions.Select(session => StreamAsync(session, request, servers.Count > 1, interrupt.Token)));
            output.StandardErrorLine($"⚠ the logs of {target.Name} ended: its containers stopped (a deploy replaces them; run podlift logs again to follow the new ones)");
        }
        catch (Exception)
        {
            // Ctrl-C is how a follow ends. From a terminal it also reaches the ssh connections (same process
            // group), which may break the streams a moment before the signal is handled here.
            if (!await InterruptedAsync(interrupt.Token)) throw;
        }
    }

    private async Task StreamAsync(ServerSession session, LogsRequest request, bool withServer, CancellationToken cancellationToken)
    {
        var server = withServer ? session.Server.Host : null;
        await foreach (var line in session.Agent.Logs(request, cancellationToken))
        {
            var text = $"{Prefix(server, request.Service, line.Replica)} {line.Text}";
            if (line.Stream == LogStream.Stderr) output.StandardErrorLine(text);
            else output.Line(text);
        }
    }

    /// <summary>[web-1], or [10.0.0.5 web-1] when the service runs on several servers; a dependency's (replica 0): [postgres]. Pure.</summary>
    public static string Prefix(string? server, string service, int replica)
    {
        var container = replica > 0 ? $"{service}-{replica}" : service;
        return server is null ? $"[{container}]" : $"[{server} {container}]";
    }

    private static async Task<bool> InterruptedAsync(CancellationToken cancellationToken)
    {
        try { await Task.Delay(InterruptGrace, cancellationToken); }
        catch (OperationCanceledException) { }
        return cancellationToken.IsCancellationRequested;
    }
}

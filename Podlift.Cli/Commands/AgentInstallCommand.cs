using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift agent install`: puts the self-contained agent on each server as a systemd service, over SSH.
/// Idempotent: a server that already runs the same binary and unit is left exactly as it is.
/// </summary>
public sealed class AgentInstallCommand(ConsoleOutput output, SshSettings ssh, bool dryRun = false)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    public async Task RunAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        foreach (var server in config.Servers)
            await InstallAsync(server, cancellationToken);
    }

    /// <summary>Installs or upgrades the agent on one server; true when anything changed.</summary>
    public async Task<bool> InstallAsync(ServerConfig server, CancellationToken cancellationToken)
    {
        var session = await ServerSession.ConnectAsync(server, ssh, cancellationToken);
        try
        {
            var probeOutput = await session.Ssh.RunScriptAsync(RemoteAgentProbe.Script, sudo: false, cancellationToken);
            var probe = RemoteAgentProbe.Parse(probeOutput.StandardOutput);
            if (!probe.HasSystemd)
                throw new ConnectionException($"{server.Host}: systemd is not running there; podlift-agent runs as a systemd service",
                    "use a server booted with systemd (Debian, Ubuntu and most distributions are)");

            var binary = AgentBinary.For(server.Host, probe.Architecture);
            var unit = UnitText();
            var plan = AgentInstallPlan.Decide(probe, Sha256OfFile(binary), Sha256(unit));
            if (dryRun)
            {
                var steps = new[] { (plan.UploadBinary, "upload the agent"), (plan.WriteUnit, "write the systemd unit"), (plan.AddToGroup, $"add {probe.User} to the podlift group"), (plan.Restart, "(re)start the service") }
                    .Where(s => s.Item1).Select(s => s.Item2).ToList();
                output.Line($"{server.Host}: would {(steps.Count == 0 ? "change nothing" : string.Join(", ", steps))} ({plan.Summary(runningVersion: null)}; dry run, nothing changed)");
                return false;
            }
            if (plan.ChangesNothing)
            {
                var hello = await session.HelloAsync(cancellationToken);
                output.Ok($"{server.Host}: {plan.Summary(hello.AgentVersion)} ({Facts(hello)})");
                return false;
            }

            if (plan.UploadBinary) await UploadAsync(session.Ssh, binary, cancellationToken);
            var script = plan.Script(probe.User, unit);
            var applied = await session.Ssh.RunScriptAsync(script, sudo: true, cancellationToken);
            if (!applied.Succeeded)
                throw new ConnectionException($"{server.Host}: installing the agent failed: {applied.StandardError.Trim()}",
                    session.Target.IsRoot ? null : $"{session.Target.User} needs passwordless sudo on the server");

            if (probe.User != "root")
            {
                // group membership is read at login: the new podlift group needs a fresh connection
                await session.DisposeAsync();
                session = await ServerSession.ConnectAsync(server, ssh, cancellationToken);
            }
            var started = await WaitForAgentAsync(session, cancellationToken);
            output.Ok($"{server.Host}: {plan.Summary(started.AgentVersion)} ({Facts(started)})");
            return true;
        }
        finally
        {
            await session.DisposeAsync();
        }
    }

    private async Task UploadAsync(SshConnection connection, string binary, CancellationToken cancellationToken)
    {
        var compressed = new MemoryStream();
        await using (var file = File.OpenRead(binary))
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            await file.CopyToAsync(gzip, cancellationToken);
        compressed.Position = 0;
        output.Detail($"uploading {Path.GetFileName(binary)} ({Format.Bytes(new FileInfo(binary).Length)}, {Format.Bytes(compressed.Length)} compressed)");

        var upload = await connection.RunAsync(
            $"sh -c 'umask 077; mkdir -p /usr/local/lib/podlift && gzip -dc > {AgentInstallPlan.UploadPath}'",
            compressed, sudo: true, cancellationToken: cancellationToken);
        if (!upload.Succeeded)
            throw new ConnectionException($"{connection.Server.Host}: uploading the agent failed: {upload.StandardError.Trim()}",
                "check free disk space in /usr/local on the server");
    }

    private static async Task<HelloReply> WaitForAgentAsync(ServerSession session, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                return await session.HelloAsync(cancellationToken);
            }
            catch (ConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (ConnectionException)
            {
                var journal = await session.Ssh.RunAsync("journalctl -u podlift-agent -n 20 --no-pager", sudo: true, cancellationToken: cancellationToken);
                throw new ConnectionException($"{session.Server.Host}: podlift-agent did not answer within {StartTimeout.TotalSeconds:0}s of starting. Its journal:\n{journal.StandardOutput}",
                    "see `journalctl -u podlift-agent` on the server");
            }
        }
    }

    private static string Facts(HelloReply hello) =>
        $"{hello.Architecture}, {hello.Os}, Docker {hello.DockerVersion} (API {hello.DockerApiVersion}), nginx {(hello.NginxVersion is { Length: > 0 } v ? v : "not found")}";

    public static string UnitText()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("podlift-agent.service")
                           ?? throw new InvalidOperationException("the systemd unit is not embedded in this build");
        return new StreamReader(stream).ReadToEnd();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.TrimEnd('\n') + "\n")));

    private static string Sha256OfFile(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}

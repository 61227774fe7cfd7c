using System.Diagnostics;
using System.Text;
using Podlift.Cli.Configuration;
using Podlift.Cli.Local;

namespace Podlift.Cli.Remote;

/// <summary>
/// podlift's own master for the length of a run: a child of this process that ends with it, on a control socket in
/// podlift's private directory, forwarding the agent's socket from the start.
/// </summary>
public sealed class OwnSshMaster : ISshMaster
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly string _host;
    private readonly string _agentSocket;

    private OwnSshMaster(ServerConfig server, SshSettings settings, string controlPath, string agentSocket)
    {
        _host = server.Host;
        ControlPath = controlPath;
        _agentSocket = agentSocket;
        _process = new Process { StartInfo = LocalProcess.StartInfo("ssh", SshArguments.Master(server, settings.ConfigFile, controlPath, agentSocket)) };
        settings.Trace?.Invoke($"ssh {string.Join(' ', _process.StartInfo.ArgumentList)}");
    }

    public string ControlPath { get; }

    /// <summary>
    /// One session that runs `true`, started once the master is up and not waited for by the agent's calls: sshd turns off
    /// Nagle's algorithm on a connection (for good) only once a session on it runs a command, and -N opens none. Without
    /// it, an answer of the agent that follows another within a round trip (the next event of a job, a reply after its
    /// headers) waits in sshd for this machine's delayed ACK of the first: 40 ms on Linux, several times in a deploy. A
    /// refused session changes nothing else (its exit code is not read).
    /// </summary>
    public Task OwnSessionsEnded { get; private set; } = Task.CompletedTask;

    public static async Task<OwnSshMaster> StartAsync(ServerConfig server, SshSettings settings, string controlPath, string agentSocket, CancellationToken cancellationToken)
    {
        var master = new OwnSshMaster(server, settings, controlPath, agentSocket);
        try
        {
            master._process.Start();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw SshConnection.SshNotFound();
        }
        master._process.ErrorDataReceived += (_, line) => { if (line.Data is not null) lock (master._errors) master._errors.AppendLine(line.Data); };
        master._process.BeginErrorReadLine();
        master._process.StandardInput.Close();
        await master.WaitUntilReadyAsync(cancellationToken);
        master.OwnSessionsEnded = settings.RunAsync(SshArguments.Run(server, settings.ConfigFile, controlPath, "true"), CancellationToken.None);
        return master;
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(ControlPath) && File.Exists(_agentSocket)))
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken); // flushes stderr
                throw SshFailure.Classify(_host, Errors());
            }
            if (clock.Elapsed > SshConnection.ConnectBound)
            {
                await DisposeAsync();
                throw SshConnection.NotConnected(_host);
            }
            await Task.Delay(15, cancellationToken);
        }
    }

    private string Errors()
    {
        lock (_errors) return _errors.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        await OwnSessionsEnded; // ended with the master, if it still ran
        _process.Dispose();
        File.Delete(ControlPath);
        File.Delete(_agentSocket);
    }
}

using System.Diagnostics;
using System.Text;
using Podlift.Cli.Configuration;
using Podlift.Cli.Local;

namespace Podlift.Cli.Remote;

/// <summary>
/// podlift's own master for the length of a run: a child of this process that ends with it, on a control socket in
/// podlift's private directory, forwarding the agent's socket from the start, a <see cref="SessionHold"/> on it.
/// </summary>
public sealed class OwnSshMaster : ISshMaster
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly string _host;
    private readonly string _agentSocket;
    private SessionHold? _hold;

    private OwnSshMaster(ServerConfig server, SshSettings settings, string controlPath, string agentSocket)
    {
        _host = server.Host;
        ControlPath = controlPath;
        _agentSocket = agentSocket;
        _process = new Process { StartInfo = LocalProcess.StartInfo("ssh", SshArguments.Master(server, settings.ConfigFile, controlPath, agentSocket)) };
        settings.Trace?.Invoke($"ssh {string.Join(' ', _process.StartInfo.ArgumentList)}");
    }

    public string ControlPath { get; }

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
        master._hold = SessionHold.Start(server, settings, controlPath);
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
        // after the master: the connection's end ends the remote cat at once, where closing its input first would wait a round trip
        if (_hold is not null) await _hold.DisposeAsync();
        _process.Dispose();
        File.Delete(ControlPath);
        File.Delete(_agentSocket);
    }
}

using System.Runtime.InteropServices;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Win32.SafeHandles;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

public sealed record ExecOptions(string Service, int Replica, IReadOnlyList<string> Command)
{
    /// <summary>Pure.</summary>
    public static ExecOptions Parse(string service, string replica, IReadOnlyList<string> command) =>
        int.TryParse(replica, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? new ExecOptions(service, number, command)
            : throw new ConfigurationException($"--replica must be a replica number such as 1 or 2 (got: {replica})", "for example: --replica 2");
}

/// <summary>
/// `podlift exec &lt;service&gt; &lt;cmd…&gt;`: runs a command in a running replica on the first server that runs the
/// service. With a terminal on both stdin and stdout it gets a TTY (raw mode here, the terminal's size sent
/// along and on every resize); otherwise plain pipes, so scripts can feed stdin and read stdout and stderr.
/// Returns the command's exit code.
/// </summary>
public sealed class ExecCommand(SshSettings ssh)
{
    private const int ChunkSize = 32 * 1024;
    private const int StandardInput = 0;
    private const int StandardOutput = 1;
    private const int StandardError = 2;

    public async Task<int> RunAsync(PodliftConfig config, ExecOptions options, CancellationToken cancellationToken)
    {
        var target = config.Target(options.Service);
        if (options.Replica < 1 || options.Replica > target.Replicas)
            throw new ConfigurationException($"--replica {options.Replica}: {target.Name} runs {target.Replicas} replica(s) per server",
                target.Replicas == 1 ? "leave out --replica" : $"choose a replica from 1 to {target.Replicas}");
        var server = target.Servers[0];

        await using var session = await ServerSession.ConnectAsync(server, ssh, cancellationToken);
        await session.HelloAsync(cancellationToken);
        if (CapabilityCheck.Refusal("podlift exec", [session.Needs(CapabilityNeeds.ForExec(target.IsDependency))]) is { } refusal) throw refusal;

        var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var start = new ExecStart { App = config.App, Service = target.Name, Dependency = target.IsDependency, Replica = options.Replica, Tty = interactive };
        start.Command.AddRange(options.Command);
        if (interactive && RawTerminal.Size() is { } size) start.Size = new TerminalSize { Width = size.Width, Height = size.Height };

        return await RelayAsync(session, start, cancellationToken);
    }

    private static async Task<int> RelayAsync(ServerSession session, ExecStart start, CancellationToken cancellationToken)
    {
        using var call = session.Agent.Exec(cancellationToken);
        var inputs = Channel.CreateBounded<ExecInput>(new BoundedChannelOptions(64) { SingleReader = true });
        _ = SendAsync(call.Requests, inputs.Reader, cancellationToken);
        await inputs.Writer.WriteAsync(new ExecInput { Start = start }, cancellationToken);

        var responses = call.Responses;
        if (!await responses.MoveNext(cancellationToken) || responses.Current.KindCase != ExecOutput.KindOneofCase.Started)
            throw new ConnectionException($"{session.Server.Host}: the agent did not start the command", "try again; `journalctl -u podlift-agent` on the server says more");
        var container = responses.Current.Started;

        using var terminal = start.Tty ? RawTerminal.TryEnter() : null;
        using var resized = start.Tty
            ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ =>
            {
                if (RawTerminal.Size() is { } size)
                    inputs.Writer.TryWrite(new ExecInput { Resize = new TerminalSize { Width = size.Width, Height = size.Height } });
            })
            : null;
        _ = Task.Factory.StartNew(() => ReadStandardInput(inputs.Writer, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default); // never awaited: a blocked read must not hold up the exit

        await using var stdout = OutputStream(StandardOutput, start.Tty);
        await using var stderr = OutputStream(StandardError, start.Tty);
        while (await responses.MoveNext(cancellationToken))
        {
            var output = responses.Current;
            switch (output.KindCase)
            {
                case ExecOutput.KindOneofCase.Stdout:
                    await stdout.WriteAsync(output.Stdout.Memory, cancellationToken);
                    break;
                case ExecOutput.KindOneofCase.Stderr:
                    await stderr.WriteAsync(output.Stderr.Memory, cancellationToken);
                    break;
                case ExecOutput.KindOneofCase.ExitCode:
                    inputs.Writer.TryComplete();
                    return output.ExitCode;
            }
        }
        throw new ConnectionException($"{session.Server.Host}: the connection to the agent ended before the command did; it may still run in {container}",
            "check the connection to the server");
    }

    /// <summary>
    /// Where the command's output goes. Console streams write(2) as they go, which is right for files and pipes
    /// (a FileStream on a regular file would write at an offset of its own and leave the shared one behind, so
    /// the next writer to a `>` redirect would overwrite the output). A terminal in raw mode gets a plain
    /// FileStream instead: .NET's console must not initialise itself (and remember raw mode as the terminal's
    /// own) while the terminal is raw.
    /// </summary>
    private static Stream OutputStream(int descriptor, bool tty) =>
        tty ? new FileStream(new SafeFileHandle(descriptor, ownsHandle: false), FileAccess.Write, bufferSize: 0)
        : descriptor == StandardOutput ? Console.OpenStandardOutput() : Console.OpenStandardError();

    /// <summary>The only writer of the request stream: gRPC allows one write at a time.</summary>
    private static async Task SendAsync(IClientStreamWriter<ExecInput> requests, ChannelReader<ExecInput> inputs, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var input in inputs.ReadAllAsync(cancellationToken))
                await requests.WriteAsync(input, cancellationToken);
        }
        catch (Exception e) when (e is AgentCallException or OperationCanceledException or InvalidOperationException)
        {
            // the call ended (the command exited, or the connection broke): the response side reports it
        }
    }

    /// <summary>Blocking reads of fd 0 on a thread of their own; the end of stdin is passed on as such.</summary>
    private static void ReadStandardInput(ChannelWriter<ExecInput> inputs, CancellationToken cancellationToken)
    {
        // a terminal is read byte by byte as typed; Console.OpenStandardInput would edit lines itself
        using var stdin = new FileStream(new SafeFileHandle(StandardInput, ownsHandle: false), FileAccess.Read, bufferSize: 0);
        var buffer = new byte[ChunkSize];
        try
        {
            int read;
            while ((read = stdin.Read(buffer, 0, buffer.Length)) > 0)
                if (!Send(new ExecInput { Stdin = ByteString.CopyFrom(buffer, 0, read) })) return;
            Send(new ExecInput { CloseStdin = new StdinClosed() });
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // stdin cannot be read, or the command has ended: nothing more to send
        }

        bool Send(ExecInput input)
        {
            while (!inputs.TryWrite(input))
                if (!inputs.WaitToWriteAsync(cancellationToken).AsTask().GetAwaiter().GetResult()) return false;
            return true;
        }
    }
}

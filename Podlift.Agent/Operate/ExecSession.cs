using Docker.DotNet;
using Google.Protobuf;
using Grpc.Core;
using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Operate;

/// <summary>The client's first Exec message was not a usable start.</summary>
public sealed class BadExecRequestException(string message) : Exception(message);

/// <summary>
/// Answers Exec: runs a command in a running replica through Docker's exec API and relays its stdin,
/// output, terminal size and exit code over the call.
/// </summary>
public sealed class ExecSession(ServiceContainers containers, DockerEngine docker, ILogger<ExecSession> log)
{
    private const int BufferSize = 32 * 1024;

    public async Task RunAsync(IAsyncStreamReader<ExecInput> input, IServerStreamWriter<ExecOutput> output, CancellationToken cancellationToken)
    {
        if (!await input.MoveNext(cancellationToken) || input.Current.KindCase != ExecInput.KindOneofCase.Start)
            throw new BadExecRequestException("the first Exec message must be the start message");
        var start = input.Current.Start;
        if (start.Command.Count == 0) throw new BadExecRequestException("no command to run");

        var container = await containers.RunningAsync(start.App, start.Service, start.Dependency, start.Replica, cancellationToken);
        var execId = await docker.CreateExecAsync(container.Id, start.Command, start.Tty, cancellationToken);
        // the program only: its arguments may hold secrets typed on the command line
        log.LogInformation("Exec of {Program} in {Container} ({Mode})", start.Command[0], container.Name, start.Tty ? "tty" : "pipes");
        using var stream = await docker.StartExecAsync(execId, start.Tty, cancellationToken);
        await using var abort = cancellationToken.Register(stream.Dispose);
        if (start.Tty && start.Size is { Width: > 0, Height: > 0 } size) await ResizeAsync(execId, size, cancellationToken);
        await output.WriteAsync(new ExecOutput { Started = container.Name }, cancellationToken);

        using var stopInput = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var relayInput = RelayInputAsync(input, stream, execId, stopInput.Token);
        await RelayOutputAsync(stream, output, cancellationToken);
        await stopInput.CancelAsync();
        try { await relayInput; }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or RpcException) { }

        var exitCode = await docker.ExecExitCodeAsync(execId, cancellationToken);
        await output.WriteAsync(new ExecOutput { ExitCode = exitCode }, cancellationToken);
    }

    private async Task RelayInputAsync(IAsyncStreamReader<ExecInput> input, MultiplexedStream stream, string execId, CancellationToken cancellationToken)
    {
        var stdinOpen = true;
        while (await input.MoveNext(cancellationToken))
        {
            var message = input.Current;
            switch (message.KindCase)
            {
                case ExecInput.KindOneofCase.Stdin when stdinOpen:
                    var bytes = message.Stdin.ToByteArray();
                    await stream.WriteAsync(bytes, 0, bytes.Length, cancellationToken);
                    break;
                case ExecInput.KindOneofCase.Resize:
                    await ResizeAsync(execId, message.Resize, cancellationToken);
                    break;
                case ExecInput.KindOneofCase.CloseStdin when stdinOpen:
                    stream.CloseWrite();
                    stdinOpen = false;
                    break;
            }
        }
        if (stdinOpen) stream.CloseWrite(); // the client finished sending: that is the end of stdin too
    }

    private static async Task RelayOutputAsync(MultiplexedStream stream, IServerStreamWriter<ExecOutput> output, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
            if (read.EOF) return;
            var data = ByteString.CopyFrom(buffer, 0, read.Count);
            await output.WriteAsync(read.Target == MultiplexedStream.TargetStream.StandardError
                ? new ExecOutput { Stderr = data }
                : new ExecOutput { Stdout = data }, cancellationToken);
        }
    }

    private async Task ResizeAsync(string execId, TerminalSize size, CancellationToken cancellationToken)
    {
        try
        {
            await docker.ResizeExecAsync(execId, size.Width, size.Height, cancellationToken);
        }
        catch (DockerApiException e)
        {
            // the command may have ended already; a lost resize is not worth failing the session
            log.LogDebug("Resize of exec {ExecId} failed: {Reason}", execId, e.Message);
        }
    }
}

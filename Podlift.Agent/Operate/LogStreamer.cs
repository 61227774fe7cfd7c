using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Podlift.Agent.Docker;
using Podlift.Protocol;

namespace Podlift.Agent.Operate;

/// <summary>
/// Answers Logs: the log lines of every container of a service's current version (or of a dependency). Without follow, one
/// container after the other; with follow, all of them at once, until each container's log ends or
/// the client goes away.
/// </summary>
public sealed class LogStreamer(ServiceContainers containers, DockerEngine docker)
{
    private const int BufferSize = 16 * 1024;

    public async Task StreamAsync(LogsRequest request, Func<LogLine, Task> write, CancellationToken cancellationToken)
    {
        var current = await containers.TargetAsync(request.App, request.Service, request.Dependency, cancellationToken);
        if (!request.Follow)
        {
            foreach (var container in current)
                await foreach (var line in ReadAsync(container, request, cancellationToken))
                    await write(line);
            return;
        }

        var merged = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(1024) { SingleReader = true });
        var pumps = current.Select(async container =>
        {
            await foreach (var line in ReadAsync(container, request, cancellationToken))
                await merged.Writer.WriteAsync(line, cancellationToken);
        }).ToList();
        _ = Task.WhenAll(pumps).ContinueWith(all => merged.Writer.TryComplete(all.Exception?.GetBaseException()), TaskScheduler.Default);
        await foreach (var line in merged.Reader.ReadAllAsync(cancellationToken))
            await write(line);
    }

    private async IAsyncEnumerable<LogLine> ReadAsync(AppContainer container, LogsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stream = await docker.LogsAsync(container.Id, request.Tail, request.SinceUnixSeconds, request.Follow, cancellationToken);
        await using var abort = cancellationToken.Register(stream.Dispose); // a followed log may wait for a long time
        var stdout = new LineSplitter();
        var stderr = new LineSplitter();
        var buffer = new byte[BufferSize];
        while (await ReadChunkAsync(stream, buffer, cancellationToken) is { EOF: false } read)
        {
            var isStderr = read.Target == MultiplexedStream.TargetStream.StandardError;
            foreach (var text in (isStderr ? stderr : stdout).Push(buffer.AsSpan(0, read.Count)))
                yield return Line(container, isStderr, text);
        }
        if (stdout.Flush() is { } lastOut) yield return Line(container, false, lastOut);
        if (stderr.Flush() is { } lastErr) yield return Line(container, true, lastErr);
    }

    private static async Task<MultiplexedStream.ReadResult?> ReadChunkAsync(MultiplexedStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static LogLine Line(AppContainer container, bool stderr, string text) => new()
    {
        Container = container.Name,
        Replica = container.Replica,
        Stream = stderr ? LogStream.Stderr : LogStream.Stdout,
        Text = text,
    };
}

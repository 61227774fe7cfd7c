using System.IO.Pipelines;

namespace Podlift.Cli.Delivery;

/// <summary>
/// One `docker save` for several servers at once (`deploy --parallel`): read once from the local Docker and
/// handed, byte for byte, to every server that takes it, each through its own bounded pipe. Docker then
/// exports the image once instead of once per server (each export writes the whole image to its temporary
/// directory first). The slowest server sets the pace; one that stops reading is left behind, not waited for.
/// Every server named must either take its share or decline it, or the others wait for it.
/// </summary>
public sealed class SharedSave : IAsyncDisposable
{
    private const int ReadSize = 1 << 20;
    private readonly Func<CancellationToken, Task<Stream>> _open;
    private readonly Dictionary<string, Share> _shares;
    private readonly CancellationTokenSource _stop = new();
    private Task? _pumping;

    private sealed class Share
    {
        public readonly Pipe Pipe = new(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false));
        public bool Taken;
        public bool Left;
    }

    public SharedSave(Func<CancellationToken, Task<Stream>> open, IEnumerable<string> servers)
    {
        _open = open;
        _shares = servers.Distinct().ToDictionary(server => server, _ => new Share());
    }

    /// <summary>The save stream for this server. The first take starts the save.</summary>
    public Task<Stream> TakeAsync(string server)
    {
        lock (_shares)
        {
            var share = _shares[server];
            if (share.Taken || share.Left) throw new InvalidOperationException($"{server} already took or declined its share of the save");
            share.Taken = true;
            _pumping ??= Task.Run(() => PumpAsync(_stop.Token));
            return Task.FromResult(share.Pipe.Reader.AsStream());
        }
    }

    /// <summary>This server will not read (the image is already there, or it failed before): nobody waits for it.</summary>
    public void Decline(string server)
    {
        lock (_shares)
        {
            var share = _shares[server];
            if (share.Taken || share.Left) return;
            share.Left = true;
            share.Pipe.Reader.Complete();
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var writers = _shares.Values.Select(s => s.Pipe.Writer).ToList();
        try
        {
            await using var save = await _open(cancellationToken);
            var buffer = new byte[ReadSize];
            int read;
            while (writers.Count > 0 && (read = await save.ReadAsync(buffer, cancellationToken)) > 0)
            {
                foreach (var writer in writers.ToList())
                {
                    // a reader that completed (declined, done early, failed) reports IsCompleted: leave it behind
                    if ((await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken)).IsCompleted)
                    {
                        await writer.CompleteAsync();
                        writers.Remove(writer);
                    }
                }
            }
            foreach (var writer in writers) await writer.CompleteAsync();
        }
        catch (Exception e)
        {
            foreach (var writer in writers) await writer.CompleteAsync(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var server in _shares.Keys.ToList()) Decline(server);
        if (_pumping is not null) await _pumping;
        _stop.Dispose();
    }
}

using Podlift.Protocol;

namespace Podlift.Agent.Docker;

/// <summary>
/// The input of a watched load, as Docker reads it: the time inside a read is the input's (the network), the time
/// between reads Docker's (it writes what it took).
/// </summary>
internal sealed class IntakeStream : ForwardReadStream
{
    private readonly Stream _input;
    private readonly CallProgress _progress;

    public IntakeStream(Stream input, CallProgress progress)
    {
        _input = input;
        _progress = progress;
        progress.InputBegins();
        progress.Moved();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _progress.WaitingForInput(true);
        try
        {
            var read = await _input.ReadAsync(buffer, cancellationToken);
            if (read == 0) _progress.InputEnded();
            return read;
        }
        finally
        {
            _progress.WaitingForInput(false);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _input.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _input.DisposeAsync();
        await base.DisposeAsync();
    }
}

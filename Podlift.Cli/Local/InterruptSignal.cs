using System.Runtime.InteropServices;

namespace Podlift.Cli.Local;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a cancellation instead of the end of the process, for a command whose
/// normal way to stop is being interrupted (`logs --follow`). Disposing restores the default handling.
/// </summary>
public sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource _interrupted;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public InterruptSignal(CancellationToken cancellationToken)
    {
        _interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    /// <summary>Cancelled by the signal, or by the token this was made from.</summary>
    public CancellationToken Token => _interrupted.Token;

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _interrupted.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _interrupted.Dispose();
    }
}

namespace Podlift.Cli.Remote;

/// <summary>The master connection a run's ssh commands go through (its control socket), which also forwards the agent's socket.</summary>
public interface ISshMaster : IAsyncDisposable
{
    string ControlPath { get; }

    /// <summary>
    /// Done when a command may open its session: once the sessions the master opens at its start have ended, so that a
    /// server that allows one session at a time (sshd's MaxSessions 1) does not refuse the command's.
    /// </summary>
    Task OwnSessionsEnded { get; }
}

namespace Podlift.Cli.Remote;

/// <summary>The master connection a run's ssh commands go through (its control socket), which also forwards the agent's socket.</summary>
public interface ISshMaster : IAsyncDisposable
{
    string ControlPath { get; }
}

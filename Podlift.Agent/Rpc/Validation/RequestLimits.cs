namespace Podlift.Agent.Rpc.Validation;

/// <summary>
/// The agent's bounds on sizes and counts no real plan comes near; they keep a caller on the socket from
/// making the agent store, log or render without end. The bounds podlift.yml shares are in PlanLimits.
/// </summary>
public static class RequestLimits
{
    public const int ShortLine = 256;          // who deployed, a user name, a container name in a comment
    public const int LongLine = 2048;          // the project's source (a git remote)
    public const int Text = 64 * 1024;         // a commit message, a hook command, a reason
    public const int PathLength = 4096;
    public const int Entries = 1000;           // services, dependencies, peers, backends, volumes, layers
    public const int Hooks = 100;              // per hook list
    public const int Arguments = 1000;
    public const int ArgumentLength = 64 * 1024;
    public const int Variables = 1000;
    public const int VariableLength = 1 << 20;
    public const int Password = 16 * 1024;
    public const long MemoryBytes = 1L << 50;  // 1 PiB
    public const int TerminalSide = 10_000;    // columns or rows
}

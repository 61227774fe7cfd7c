namespace Podlift.Agent.Machine;

/// <summary>A process's /proc/&lt;pid&gt;/stat line: "pid (comm) state ppid ...", where comm may hold spaces and parentheses.</summary>
public static class ProcStat
{
    /// <summary>The fields after comm: [0] is the state (field 3 in proc(5)), [1] the parent pid (4), [19] the start time (22). Pure.</summary>
    public static string[] FieldsAfterName(string stat)
    {
        var end = stat.LastIndexOf(')');
        return end < 0 ? [] : stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}

namespace Podlift.Protocol;

/// <summary>
/// Which variables a hook's environment may take from the project. Hooks run on the primary server, so the
/// variables that describe the machine a process runs on (who and where it is, how programs are found, locale,
/// terminal, login session) are that server's own: the CLI never captures them for a hook, from the environment
/// or from the env file, and the agent ignores them in a plan (as older CLIs sent them).
/// </summary>
public static class HookVariables
{
    private static readonly HashSet<string> MachineNames = new(StringComparer.Ordinal)
    {
        "HOME", "USER", "LOGNAME", "SHELL", "MAIL",       // the account
        "PWD", "OLDPWD", "SHLVL",                         // the shell's place
        "HOSTNAME", "TMPDIR",                             // the machine
        "PATH", "LD_LIBRARY_PATH", "LD_PRELOAD",          // how programs are found and loaded
        "LANG", "LANGUAGE", "TZ",                         // locale and time zone (and LC_*)
        "TERM", "COLORTERM", "DISPLAY",                   // the terminal
    };

    private static readonly string[] MachinePrefixes = ["LC_", "SSH_", "XDG_"];

    public static bool DescribesTheMachine(string name) =>
        MachineNames.Contains(name) || MachinePrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The variables of <paramref name="variables"/> a hook on another machine may be given.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Portable(IEnumerable<KeyValuePair<string, string>> variables) =>
        variables.Where(variable => !DescribesTheMachine(variable.Key));
}

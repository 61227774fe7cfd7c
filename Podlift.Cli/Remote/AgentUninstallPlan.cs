namespace Podlift.Cli.Remote;

public enum AgentUninstallOutcome
{
    Unknown,
    Removed,
    NotInstalled,
    /// <summary>The probe's answer (--dry-run): there is an agent, and the script would remove it.</summary>
    Installed,
}

/// <summary>What became of the podlift group: its members could reach the agent's socket, which is root-equivalent.</summary>
public sealed record UninstalledGroup(bool Existed, bool Removed, IReadOnlyList<string> Members, string Error = "")
{
    public static readonly UninstalledGroup None = new(false, false, []);
}

/// <summary>
/// The root script behind `podlift agent uninstall`: stops and disables the service, removes its unit, binary
/// and socket directory, and the podlift group (it exists only to reach the socket; left behind, its members
/// would silently regain root-equivalent access when an agent is installed again). Containers,
/// /var/lib/podlift (state, journals) and nginx's sites stay, so the apps keep serving. Idempotent: on a
/// server without the agent it changes nothing and says so.
/// </summary>
public static class AgentUninstallPlan
{
    /// <summary>What the script removes, in words.</summary>
    public const string Removes = "service, unit, binary, /run/podlift";

    /// <summary>What the script leaves serving, in words.</summary>
    public const string Keeps = "containers, /var/lib/podlift and nginx";

    private const string IsInstalled = $$"""
        set -u
        unit={{AgentUnit.Path}}
        lib=/usr/local/lib/podlift
        if [ ! -e "$unit" ] && [ ! -e "$lib/podlift-agent" ]; then
          echo "result=not-installed"
          exit 0
        fi

        """;

    public const string Script = IsInstalled + """
        systemctl disable --now --quiet podlift-agent 2>/dev/null || systemctl stop podlift-agent 2>/dev/null || true
        rm -f "$unit"
        systemctl daemon-reload
        systemctl reset-failed podlift-agent 2>/dev/null || true
        rm -rf "$lib" /run/podlift
        if systemctl is-active --quiet podlift-agent; then
          echo "podlift-agent is still active after being stopped" >&2
          exit 1
        fi
        if entry=$(getent group podlift); then
          echo "group_members=$(echo "$entry" | cut -d: -f4)"
          if error=$(groupdel podlift 2>&1); then echo "group=removed"; else echo "group=kept"; echo "group_error=$error" | head -n 1; fi
        fi
        echo "result=removed"
        """;

    /// <summary>The script's check alone, for --dry-run: it changes nothing and answers installed or not-installed.</summary>
    public const string Probe = IsInstalled + """
        echo "result=installed"
        """;

    public static AgentUninstallOutcome Parse(string output) =>
        Values(output, "result").LastOrDefault() switch
        {
            "removed" => AgentUninstallOutcome.Removed,
            "not-installed" => AgentUninstallOutcome.NotInstalled,
            "installed" => AgentUninstallOutcome.Installed,
            _ => AgentUninstallOutcome.Unknown,
        };

    public static UninstalledGroup ParseGroup(string output)
    {
        var outcome = Values(output, "group").LastOrDefault();
        if (outcome is null) return UninstalledGroup.None;
        var members = (Values(output, "group_members").LastOrDefault() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new UninstalledGroup(true, outcome == "removed", members, Values(output, "group_error").LastOrDefault() ?? "");
    }

    /// <summary>The group's part of the report, or null when there was no group.</summary>
    public static string? Describe(UninstalledGroup group)
    {
        if (!group.Existed) return null;
        var members = group.Members.Count > 0 ? $" (its members were {string.Join(", ", group.Members)})" : "";
        return group.Removed
            ? $"the podlift group removed{members}"
            : $"the podlift group kept{members}: {(group.Error.Length > 0 ? group.Error : "groupdel refused")}; its members reach the socket of any agent installed later";
    }

    private static IEnumerable<string> Values(string output, string key) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Trim())
            .Where(line => line.StartsWith(key + "=", StringComparison.Ordinal)).Select(line => line[(key.Length + 1)..]);
}

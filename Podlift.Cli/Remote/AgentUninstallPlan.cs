namespace Podlift.Cli.Remote;

public enum AgentUninstallOutcome
{
    Unknown,
    Removed,
    NotInstalled,
    /// <summary>The probe's answer (--dry-run): there is an agent, and the script would remove it.</summary>
    Installed,
}

/// <summary>
/// The root script behind `podlift agent uninstall`: stops and disables the service, removes its unit, binary
/// and socket directory. Containers, /var/lib/podlift (state, journals) and nginx's sites stay, so the apps keep
/// serving. Idempotent: on a server without the agent it changes nothing and says so.
/// </summary>
public static class AgentUninstallPlan
{
    /// <summary>What the script removes, in words.</summary>
    public const string Removes = "service, unit, binary, /run/podlift";

    /// <summary>What the script leaves serving, in words.</summary>
    public const string Keeps = "containers, /var/lib/podlift and nginx";

    private const string IsInstalled = """
        set -u
        unit=/etc/systemd/system/podlift-agent.service
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
        echo "result=removed"
        """;

    /// <summary>The script's check alone, for --dry-run: it changes nothing and answers installed or not-installed.</summary>
    public const string Probe = IsInstalled + """
        echo "result=installed"
        """;

    public static AgentUninstallOutcome Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Trim()).LastOrDefault(line => line.StartsWith("result=", StringComparison.Ordinal)) switch
        {
            "result=removed" => AgentUninstallOutcome.Removed,
            "result=not-installed" => AgentUninstallOutcome.NotInstalled,
            "result=installed" => AgentUninstallOutcome.Installed,
            _ => AgentUninstallOutcome.Unknown,
        };
}

namespace Podlift.Cli.Remote;

/// <summary>What `agent install` found on a server, from the probe script's key=value lines.</summary>
public sealed record RemoteAgentProbe(string Architecture, string User, string? BinarySha256, string? Version, string? UnitSha256, bool Active, bool HasSystemd,
    bool InPodliftGroup = true)
{
    /// <summary>Root reaches the socket anyway; another login user needs the podlift group.</summary>
    public bool CanReachSocket => User == "root" || InPodliftGroup;

    public const string Script = """
        echo "arch=$(uname -m)"
        echo "user=$(id -un)"
        getent group podlift | cut -d: -f4 | tr ',' '\n' | grep -qx "$(id -un)" && echo "in_group=yes"
        b=/usr/local/lib/podlift/podlift-agent
        if [ -x "$b" ]; then
          echo "binary_sha=$(sha256sum "$b" | cut -d' ' -f1)"
          echo "version=$("$b" --version 2>/dev/null || echo unknown)"
        fi
        u=/etc/systemd/system/podlift-agent.service
        [ -f "$u" ] && echo "unit_sha=$(sha256sum "$u" | cut -d' ' -f1)"
        echo "active=$(systemctl is-active podlift-agent 2>/dev/null || true)"
        [ -d /run/systemd/system ] && echo "systemd=yes"
        exit 0
        """;

    public static RemoteAgentProbe Parse(string output)
    {
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim().Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        string? Value(string key) => values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
        return new RemoteAgentProbe(Value("arch") ?? "unknown", Value("user") ?? "unknown", Value("binary_sha"), Value("version"),
            Value("unit_sha"), Value("active") == "active", Value("systemd") == "yes", Value("in_group") == "yes");
    }
}

/// <summary>What an install must change on one server, decided from the probe and the local files. Pure.</summary>
public sealed record AgentInstallPlan(bool UploadBinary, bool WriteUnit, bool Restart, string Summary, bool AddToGroup = false)
{
    public bool ChangesNothing => !UploadBinary && !WriteUnit && !Restart && !AddToGroup;

    public static AgentInstallPlan Decide(RemoteAgentProbe probe, string localSha256, string localVersion, string unitSha256)
    {
        var upload = !string.Equals(probe.BinarySha256, localSha256, StringComparison.OrdinalIgnoreCase);
        var unit = !string.Equals(probe.UnitSha256, unitSha256, StringComparison.OrdinalIgnoreCase);
        var restart = upload || unit || !probe.Active;
        var summary = (probe.BinarySha256, upload) switch
        {
            (null, _) => $"podlift-agent {localVersion} installed",
            (_, true) when probe.Version != localVersion => $"podlift-agent upgraded in place from {probe.Version} to {localVersion}",
            (_, true) => $"podlift-agent {localVersion} reinstalled (the binary differed)",
            (_, false) when unit => $"podlift-agent {localVersion}: service unit updated",
            (_, false) when restart => $"podlift-agent {localVersion} was not running: started",
            _ => $"podlift-agent {localVersion} is already installed: no change",
        };
        var addToGroup = !probe.CanReachSocket;
        if (addToGroup && !upload && !unit && !restart) summary = $"podlift-agent {localVersion} is installed; {probe.User} added to the podlift group";
        return new AgentInstallPlan(upload, unit, restart, summary, addToGroup);
    }

    public const string UploadPath = "/usr/local/lib/podlift/.podlift-agent.upload";

    /// <summary>The root shell script that applies the plan. The unit text is podlift's own file, never user input.</summary>
    public string Script(string loginUser, string unitText)
    {
        var lines = new List<string> { "set -eu", "install -d -m 0755 /usr/local/lib/podlift" };
        if (UploadBinary)
        {
            lines.Add($"chmod 0755 {UploadPath}");
            lines.Add($"mv -f {UploadPath} /usr/local/lib/podlift/podlift-agent");
        }
        lines.Add("getent group podlift >/dev/null || groupadd --system podlift");
        if (loginUser != "root") lines.Add($"id -nG '{loginUser}' | tr ' ' '\\n' | grep -qx podlift || usermod -aG podlift '{loginUser}'");
        if (WriteUnit)
        {
            lines.Add("cat > /etc/systemd/system/podlift-agent.service <<'PODLIFT_UNIT'");
            lines.Add(unitText.TrimEnd('\n'));
            lines.Add("PODLIFT_UNIT");
            lines.Add("systemctl daemon-reload");
        }
        lines.Add("systemctl enable --quiet podlift-agent");
        if (Restart) lines.Add("systemctl restart podlift-agent");
        return string.Join('\n', lines) + "\n";
    }
}

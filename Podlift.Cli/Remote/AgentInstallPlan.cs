namespace Podlift.Cli.Remote;

/// <summary>What `agent install` found on a server, from the probe script's key=value lines.</summary>
public sealed record RemoteAgentProbe(string Architecture, string User, string? BinarySha256, string? Version, string? UnitSha256, bool Active, bool HasSystemd,
    bool InPodliftGroup = true)
{
    /// <summary>Root reaches the socket anyway; another login user needs the podlift group.</summary>
    public bool CanReachSocket => User == "root" || InPodliftGroup;

    public const string Script = $$"""
        echo "arch=$(uname -m)"
        echo "user=$(id -un)"
        getent group podlift | cut -d: -f4 | tr ',' '\n' | grep -qx "$(id -un)" && echo "in_group=yes"
        b=/usr/local/lib/podlift/podlift-agent
        if [ -x "$b" ]; then
          echo "binary_sha=$(sha256sum "$b" | cut -d' ' -f1)"
          echo "version=$("$b" --version 2>/dev/null || echo unknown)"
        fi
        u={{AgentUnit.Path}}
        [ -f "$u" ] && echo "unit_sha=$(sha256sum "$u" | cut -d' ' -f1)"
        echo "active=$(systemctl is-active podlift-agent 2>/dev/null || true)"
        [ -d /run/systemd/system ] && echo "systemd=yes"
        exit 0
        """;

    public static RemoteAgentProbe Parse(string output)
    {
        var values = KeyValueLines.Parse(output);
        string? Value(string key) => values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
        return new RemoteAgentProbe(Value("arch") ?? "unknown", Value("user") ?? "unknown", Value("binary_sha"), Value("version"),
            Value("unit_sha"), Value("active") == "active", Value("systemd") == "yes", Value("in_group") == "yes");
    }
}

/// <summary>What an install must change on one server, decided from the probe and the local files. Pure.</summary>
/// <param name="Found">What the probe found there.</param>
public sealed record AgentInstallPlan(bool UploadBinary, bool WriteUnit, bool Restart, bool AddToGroup, RemoteAgentProbe Found)
{
    public bool ChangesNothing => !UploadBinary && !WriteUnit && !Restart && !AddToGroup;

    /// <summary>An upgrade is a binary whose sha256 differs: every build has its own version, but the bytes decide.</summary>
    public static AgentInstallPlan Decide(RemoteAgentProbe probe, string localSha256, string unitSha256)
    {
        var upload = !string.Equals(probe.BinarySha256, localSha256, StringComparison.OrdinalIgnoreCase);
        var unit = !string.Equals(probe.UnitSha256, unitSha256, StringComparison.OrdinalIgnoreCase);
        return new AgentInstallPlan(upload, unit, upload || unit || !probe.Active, !probe.CanReachSocket, probe);
    }

    /// <summary>
    /// What the install did, or would do, with real versions: the one found (the installed binary's --version) and
    /// <paramref name="runningVersion"/>, what the agent says in Hello once it runs; null in a dry run, before the
    /// binary to upload has run anywhere.
    /// </summary>
    public string Summary(string? runningVersion)
    {
        var after = UploadBinary ? runningVersion : runningVersion ?? Found.Version;
        var named = after is null ? "podlift-agent" : $"podlift-agent {after}";
        if (AddToGroup && !UploadBinary && !WriteUnit && !Restart) return $"{named} is installed; {Found.User} added to the podlift group";
        return (Found.BinarySha256, UploadBinary) switch
        {
            (null, _) => $"{named} installed",
            (_, true) when after is null => $"podlift-agent {Found.Version} replaced in place by this podlift's agent (the binary differs)",
            (_, true) when Found.Version != after => $"podlift-agent upgraded in place from {Found.Version} to {after}",
            (_, true) => $"{named} reinstalled (the binary differed)",
            (_, false) when WriteUnit => $"{named}: service unit updated",
            (_, false) when Restart => $"{named} was not running: started",
            _ => $"{named} is already installed: no change",
        };
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
            lines.Add($"cat > {AgentUnit.Path} <<'PODLIFT_UNIT'");
            lines.Add(unitText.TrimEnd('\n'));
            lines.Add("PODLIFT_UNIT");
            lines.Add("systemctl daemon-reload");
        }
        lines.Add("systemctl enable --quiet podlift-agent");
        if (Restart) lines.Add("systemctl restart podlift-agent");
        return string.Join('\n', lines) + "\n";
    }
}

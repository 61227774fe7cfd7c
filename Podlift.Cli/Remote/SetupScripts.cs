namespace Podlift.Cli.Remote;

/// <summary>
/// The root shell scripts of `podlift setup`, one per step. Each checks before it changes anything and
/// ends with one line, `result=changed|unchanged detail=...`, so a second run can say "already done".
/// Pure: the text is reviewable and unit-tested.
/// </summary>
public static class SetupScripts
{
    private const string Preamble = """
        set -eu
        export DEBIAN_FRONTEND=noninteractive
        apt_install() { apt-get update -qq >/dev/null 2>&1 || true; apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
        state=unchanged
        """;

    public static string Docker => Preamble + """

        if ! command -v dockerd >/dev/null 2>&1; then
          apt_install docker.io $(apt-cache show docker-cli >/dev/null 2>&1 && echo docker-cli) iptables
          state=changed
        fi
        systemctl enable --quiet docker 2>/dev/null || true
        systemctl is-active --quiet docker || { systemctl start docker; state=changed; }
        i=0; until docker info >/dev/null 2>&1 || [ $i -ge 120 ]; do sleep 0.5; i=$((i+1)); done
        echo "result=$state detail=Docker $(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '(not answering)')"
        """;

    public static string Nginx => Preamble + """

        if ! command -v nginx >/dev/null 2>&1; then apt_install nginx; state=changed; fi
        systemctl enable --quiet nginx 2>/dev/null || true
        systemctl is-active --quiet nginx || { systemctl start nginx; state=changed; }
        echo "result=$state detail=$(nginx -v 2>&1 | sed 's|.*nginx/|nginx |')"
        """;

    /// <summary>ufw: incoming closed but for SSH (the port podlift connects to), HTTP and HTTPS.</summary>
    public static string Firewall(int sshPort) => Preamble + $$"""

        command -v ufw >/dev/null 2>&1 || { apt_install ufw; state=changed; }
        before=$(ufw status verbose 2>/dev/null | sha256sum)
        ufw default deny incoming >/dev/null
        ufw default allow outgoing >/dev/null
        for port in {{sshPort}} 80 443; do ufw allow "$port/tcp" >/dev/null; done
        ufw --force enable >/dev/null
        [ "$before" = "$(ufw status verbose | sha256sum)" ] || state=changed
        echo "result=$state detail=open: {{sshPort}}/tcp 80/tcp 443/tcp; everything else closed"
        """;

    /// <summary>SSH keys only (no passwords), and fail2ban watching sshd through the journal.</summary>
    public static string Security => Preamble + """

        conf=/etc/ssh/sshd_config.d/50-podlift.conf
        want='PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password'
        if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
          mkdir -p /etc/ssh/sshd_config.d
          printf '%s\n' "$want" > "$conf.new"
          mv "$conf.new" "$conf"
          sshd -t
          systemctl reload ssh 2>/dev/null || systemctl reload sshd
          state=changed
        fi
        command -v fail2ban-server >/dev/null 2>&1 || { apt_install fail2ban python3-systemd; state=changed; }
        jail=/etc/fail2ban/jail.d/50-podlift.conf
        if [ "$(cat "$jail" 2>/dev/null)" != "$(printf '[sshd]\nenabled = true\nbackend = systemd')" ]; then
          printf '[sshd]\nenabled = true\nbackend = systemd\n' > "$jail"
          systemctl restart fail2ban
          state=changed
        fi
        systemctl enable --quiet fail2ban 2>/dev/null || true
        systemctl is-active --quiet fail2ban || { systemctl start fail2ban; state=changed; }
        echo "result=$state detail=SSH keys only; fail2ban guards sshd"
        """;

    public sealed record StepResult(bool Changed, string Detail);

    /// <summary>Reads the script's last line.</summary>
    public static StepResult Parse(string output)
    {
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("result=", StringComparison.Ordinal)) ?? "";
        var changed = last.StartsWith("result=changed", StringComparison.Ordinal);
        var detail = last.Contains(" detail=", StringComparison.Ordinal) ? last[(last.IndexOf(" detail=", StringComparison.Ordinal) + 8)..] : "";
        return new StepResult(changed, detail);
    }
}

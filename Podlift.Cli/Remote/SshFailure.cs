using Podlift.Cli.Errors;

namespace Podlift.Cli.Remote;

/// <summary>Turns what ssh printed when it could not connect into an error that says what to do.</summary>
public static class SshFailure
{
    public static ConnectionException Classify(string host, string stderr)
    {
        var text = stderr.Trim();
        if (text.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", StringComparison.Ordinal))
            return new ConnectionException(
                $"{host}: the server's host key has CHANGED since it was recorded in known_hosts; refusing to connect",
                $"if the server was rebuilt, verify the new key with your provider, then: ssh-keygen -R {host}");
        if (text.Contains("Host key verification failed", StringComparison.Ordinal) || text.Contains("No ED25519 host key is known", StringComparison.Ordinal)
            || text.Contains("host key is known", StringComparison.Ordinal))
            return new ConnectionException(
                $"{host}: the server's host key is not known, and podlift does not trust unknown keys",
                $"verify the key's fingerprint with your provider, then add it: ssh-keyscan -H {host} >> ~/.ssh/known_hosts");
        if (text.Contains("Permission denied", StringComparison.Ordinal))
            return new ConnectionException($"{host}: SSH login was refused ({LastLine(text)})",
                $"check `user:` and `ssh_key:` for this server (unset, your ssh config's User and IdentityFile apply: `ssh -G {host}` shows them), and that the key is in its authorized_keys");
        if (text.Contains("Could not resolve hostname", StringComparison.Ordinal))
            return new ConnectionException($"{host}: host name does not resolve", "check `host:` in podlift.yml (an ssh alias needs a Host block with a HostName in your ssh config)");
        if (text.Contains("Connection refused", StringComparison.Ordinal) || text.Contains("timed out", StringComparison.Ordinal)
            || text.Contains("No route to host", StringComparison.Ordinal) || text.Contains("Network is unreachable", StringComparison.Ordinal))
            return new ConnectionException($"{host}: cannot reach sshd ({LastLine(text)})", "check that the server is up and that its SSH port is open");
        return new ConnectionException($"{host}: SSH connection failed: {(text.Length > 0 ? LastLine(text) : "ssh exited without a message")}",
            $"try `ssh {host}` by hand to see why");
    }

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? text;
}

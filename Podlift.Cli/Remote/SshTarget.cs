using System.Globalization;
using Podlift.Cli.Errors;

namespace Podlift.Cli.Remote;

/// <summary>
/// One server as ssh really reaches it, from `ssh -G` (the user's ssh config with podlift's -l/-p/-i applied,
/// without connecting): the name podlift.yml gives it, which ssh is called with; the user it logs in as; the
/// address (HostName) behind an alias, which is what the other servers must be told; the port; the jump host;
/// the connection sharing the user's ssh config sets up for it.
/// </summary>
public sealed record SshTarget(string Name, string User, string Address, int Port, string? ProxyJump = null, SshSharing? Sharing = null)
{
    /// <summary>Root needs no `sudo -n` in front of root commands.</summary>
    public bool IsRoot => User == "root";

    /// <summary>"prod-a (10.0.0.5)"; just the name when it is the address.</summary>
    public string Label => Address == Name ? Name : $"{Name} ({Address})";

    /// <summary>"deploy@prod-a:2222 (10.0.0.5, via bastion)".</summary>
    public string Login
    {
        get
        {
            var details = new[] { Address == Name ? null : Address, ProxyJump is null ? null : $"via {ProxyJump}" }.OfType<string>().ToList();
            return $"{User}@{Name}:{Port}{(details.Count > 0 ? $" ({string.Join(", ", details)})" : "")}";
        }
    }

    public override string ToString() => Label;

    /// <summary>Reads what `ssh -G` prints: one "keyword value" line per option, keywords in lowercase. Pure.</summary>
    public static SshTarget Parse(string name, string output)
    {
        var values = output.Split('\n').Select(line => line.Trim().Split(' ', 2)).Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0]).ToDictionary(group => group.Key, group => group.First()[1].Trim());
        string Required(string keyword) => values.TryGetValue(keyword, out var value) && value.Length > 0
            ? value
            : throw new ConnectionException($"{name}: `ssh -G {name}` did not say which {keyword} ssh would use", $"run `ssh -G {name}` to see what your ssh makes of it");
        var port = int.TryParse(Required("port"), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ConnectionException($"{name}: `ssh -G {name}` gave the port as {values["port"]}", $"check the Port for {name} in your ssh config");
        var jump = values.GetValueOrDefault("proxyjump") is { Length: > 0 } via && via != "none" ? via : null;
        return new SshTarget(name, Required("user"), Required("hostname"), port, jump, SshSharing.From(values));
    }
}

/// <summary>
/// The user's own ssh connection sharing for a host (ControlPath, ControlMaster, ControlPersist in their ssh config),
/// which podlift joins as `ssh &lt;host&gt;` would. <see cref="MayStart"/>: with no master running, ssh would start one that
/// outlives the command (ControlMaster auto or yes, and ControlPersist not no); ask and autoask would prompt, never in a run.
/// </summary>
public sealed record SshSharing(string ControlPath, bool MayStart)
{
    /// <summary>From `ssh -G`'s keywords (it prints the ControlPath expanded, no line when there is none). Pure.</summary>
    public static SshSharing? From(IReadOnlyDictionary<string, string> values)
    {
        if (values.GetValueOrDefault("controlpath") is not { Length: > 0 } path || path == "none") return null;
        var starts = values.GetValueOrDefault("controlmaster") is "true" or "auto";
        var persists = values.GetValueOrDefault("controlpersist") is { Length: > 0 } persist && persist != "no";
        return new SshSharing(path, starts && persists);
    }
}

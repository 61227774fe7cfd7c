using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Podlift.Agent.Machine;
using Podlift.Agent.State;

namespace Podlift.Agent.Proxy;

/// <summary>A firewall rule podlift needs could not be applied: the deploy stops rather than publish unprotected ports.</summary>
public sealed class FirewallException(string message) : Exception(message);

/// <summary>
/// With several servers, container ports are published on all interfaces so the primary's nginx (and
/// workers, for dependencies) can reach them. This keeps them from the rest of the world. Each app has
/// its own chain in Docker's DOCKER-USER chain: the host's Docker bridges, established connections and
/// the app's other servers pass; new connections from anywhere else to the app's own published ports
/// are dropped. One app's deploy rewrites only its own chain, in one atomic iptables-restore, so it
/// never changes what another app's servers may reach. The rules are kept beside state.json and
/// loaded again when the agent starts (iptables forgets them at a reboot).
/// </summary>
public sealed class PeerFirewall(IProcessRunner processes, StateStore store, ILogger<PeerFirewall> log)
{
    /// <summary>The one chain of agents before per-app chains; removed when an app's chain is applied.</summary>
    public const string LegacyChain = "PODLIFT-PEERS";
    private const string DockerUser = "DOCKER-USER";
    private const int ChainNameLimit = 28;

    /// <summary>PODLIFT-&lt;app&gt;; a long app name is cut and made unique with a hash (iptables allows 28 characters).</summary>
    public static string ChainFor(string app)
    {
        var name = $"PODLIFT-{app}";
        if (name.Length <= ChainNameLimit) return name;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(app)))[..6];
        return $"{name[..(ChainNameLimit - 7)]}-{hash}";
    }

    /// <summary>iptables-restore input that replaces the app's chain and nothing else (--noflush). Pure, so the rules are reviewable and tested.</summary>
    public static string RestoreInput(string app, IEnumerable<IPAddress> peers, IEnumerable<int> protectedPorts)
    {
        var chain = ChainFor(app);
        var text = new StringBuilder();
        text.Append("*filter\n");
        text.Append($":{chain} - [0:0]\n");
        text.Append($"-A {chain} -i docker0 -j RETURN\n");
        text.Append($"-A {chain} -i br-+ -j RETURN\n");
        text.Append($"-A {chain} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN\n");
        foreach (var peer in peers.Where(p => p.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Distinct())
            text.Append($"-A {chain} -s {peer} -j RETURN\n");
        foreach (var port in protectedPorts.Where(p => p > 0).Distinct().Order())
            text.Append($"-A {chain} -p tcp -m conntrack --ctorigdstport {port.ToString(CultureInfo.InvariantCulture)} -j DROP\n");
        text.Append("COMMIT\n");
        return text.ToString();
    }

    /// <summary>Replaces the app's chain: its peers pass, everyone else is kept from <paramref name="protectedPorts"/>.</summary>
    public async Task<string> ApplyAsync(string app, IReadOnlyList<IPAddress> peers, IReadOnlyCollection<int> protectedPorts, CancellationToken cancellationToken)
    {
        var path = RulesPath(app);
        Directory.CreateDirectory(store.AppDirectory(app));
        AtomicFile.Write(path, RestoreInput(app, peers, protectedPorts));
        await LoadAsync(app, path, cancellationToken);
        return $"ports {string.Join(", ", protectedPorts.Order())} reachable only from {string.Join(", ", peers)} (iptables {ChainFor(app)})";
    }

    /// <summary>When the agent starts: every app's kept rules, loaded again. A failure is logged per app; it does not stop the agent.</summary>
    public async Task RestoreAllAsync(CancellationToken cancellationToken)
    {
        foreach (var app in store.Apps())
        {
            if (!File.Exists(RulesPath(app))) continue;
            try
            {
                await LoadAsync(app, RulesPath(app), cancellationToken);
                log.LogInformation("Firewall of {App} loaded ({Chain})", app, ChainFor(app));
            }
            catch (FirewallException e)
            {
                log.LogError("Firewall of {App} could not be loaded; its published ports are not restricted: {Error}", app, e.Message);
            }
        }
    }

    private string RulesPath(string app) => store.FirewallRulesPath(app);

    private async Task LoadAsync(string app, string rulesFile, CancellationToken cancellationToken)
    {
        var chain = ChainFor(app);
        await RunAsync(["-N", DockerUser], cancellationToken, mayFail: true); // Docker creates it; before Docker runs it may not exist yet
        await RunAsync(["iptables-restore", "--noflush", rulesFile], cancellationToken, restore: true);
        if (!(await RunAsync(["-C", DockerUser, "-j", chain], cancellationToken, mayFail: true)).Succeeded)
            await RunAsync(["-I", DockerUser, "-j", chain], cancellationToken);
        // agents before per-app chains kept every app's peers in one chain, which the next app's deploy rewrote
        if ((await RunAsync(["-D", DockerUser, "-j", LegacyChain], cancellationToken, mayFail: true)).Succeeded)
        {
            await RunAsync(["-F", LegacyChain], cancellationToken, mayFail: true);
            await RunAsync(["-X", LegacyChain], cancellationToken, mayFail: true);
        }
    }

    private async Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool mayFail = false, bool restore = false)
    {
        var (program, rest) = restore ? (arguments[0], arguments.Skip(1).ToList()) : ("iptables", arguments.ToList());
        ProcessResult result;
        try
        {
            result = await processes.RunAsync(program, rest, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new FirewallException($"{program} is not installed; podlift needs it to keep published container ports from everyone but the app's servers (apt-get install iptables)");
        }
        if (!result.Succeeded && !mayFail)
            throw new FirewallException($"{program} {string.Join(' ', rest)} failed: {result.CombinedOutput}");
        return result;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Podlift.Agent.State;

/// <summary>
/// The agent's files, known here once: /var/lib/podlift/&lt;app&gt;/ holds state.json (the record, with a schema
/// version), upstreams.json, proxy.json, firewall.rules, and journal/ (each job's events and plan). Writes are
/// atomic (<see cref="AtomicFile"/>), so a crash leaves either the old or the new file, never half of one;
/// reads never write.
/// </summary>
public sealed class StateStore(string root)
{
    public const string DefaultRoot = "/var/lib/podlift";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Root { get; } = root;

    public string AppDirectory(string app) => Path.Combine(Root, app);

    public string JournalDirectory(string app) => Path.Combine(AppDirectory(app), "journal");

    private const string JournalSuffix = ".jsonl";
    private const string PlanSuffix = ".plan.json";

    public string JournalPath(string app, string deployId) => Path.Combine(JournalDirectory(app), deployId + JournalSuffix);

    public string PlanPath(string app, string deployId) => Path.Combine(JournalDirectory(app), deployId + PlanSuffix);

    /// <summary>The journal of the app's newest job (deploy ids begin with their start time); null when it has none.</summary>
    public string? LatestJournal(string app)
    {
        var directory = JournalDirectory(app);
        return Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*" + JournalSuffix).Order(StringComparer.Ordinal).LastOrDefault() : null;
    }

    /// <summary>The app's jobs with a journal or a plan on disk, by deploy id.</summary>
    public IReadOnlyList<string> JournalIds(string app)
    {
        var directory = JournalDirectory(app);
        if (!Directory.Exists(directory)) return [];
        return Directory.EnumerateFiles(directory)
            .Select(path => Path.GetFileName(path) switch
            {
                var name when name.EndsWith(PlanSuffix, StringComparison.Ordinal) => name[..^PlanSuffix.Length],
                var name when name.EndsWith(JournalSuffix, StringComparison.Ordinal) => name[..^JournalSuffix.Length],
                _ => null,
            })
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A job's journal and its plan, gone.</summary>
    public void RemoveJournal(string app, string deployId)
    {
        File.Delete(JournalPath(app, deployId));
        File.Delete(PlanPath(app, deployId));
    }

    /// <summary>The backends of the app's upstream, per server that contributes them (Proxy.UpstreamRegistry).</summary>
    public string UpstreamsPath(string app) => Path.Combine(AppDirectory(app), "upstreams.json");

    /// <summary>The canary beside the app's upstream, while one serves.</summary>
    public string CanaryUpstreamPath(string app) => Path.Combine(AppDirectory(app), "canary-upstream.json");

    /// <summary>The app's proxy settings as the last deploy or `ssl setup` gave them (Proxy.NginxSiteFactory).</summary>
    public string ProxySettingsPath(string app) => Path.Combine(AppDirectory(app), "proxy.json");

    /// <summary>The app's iptables chain as iptables-restore reads it, loaded again when the agent starts (Proxy.PeerFirewall).</summary>
    public string FirewallRulesPath(string app) => Path.Combine(AppDirectory(app), "firewall.rules");

    /// <summary>The plan a job ran with, kept beside its journal; null when it is gone.</summary>
    public Podlift.Protocol.DeployPlan? LoadPlan(string app, string deployId)
    {
        var path = PlanPath(app, deployId);
        if (deployId.Length == 0 || !File.Exists(path)) return null;
        try { return Google.Protobuf.JsonParser.Default.Parse<Podlift.Protocol.DeployPlan>(File.ReadAllText(path)); }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or Google.Protobuf.InvalidJsonException) { return null; }
    }

    /// <summary>The app's record, or one rebuilt from its containers' labels (Rebuilt is then true) when the file is lost.</summary>
    public (AppRecord? Record, bool Rebuilt) LoadOrRebuild(string app, IReadOnlyList<Docker.AppContainer> containers)
    {
        if (Load(app) is { } record) return (record, false);
        return StateRebuilder.FromContainers(app, containers) is { } rebuilt ? (WithKeptPlans(rebuilt), true) : (null, false);
    }

    /// <summary>A record rebuilt from labels, completed with the plans its deployments' journals kept.</summary>
    private AppRecord WithKeptPlans(AppRecord record)
    {
        DeploymentRecord Complete(DeploymentRecord d) => d.PlanJson is null && LoadPlan(record.App, d.DeployId) is { } plan ? d.WithPlan(plan) : d;
        return record with
        {
            Current = record.Current is null ? null : Complete(record.Current),
            Previous = record.Previous is null ? null : Complete(record.Previous),
            Deployments = record.Deployments.Select(Complete).ToList(),
        };
    }

    private string StatePath(string app) => Path.Combine(AppDirectory(app), "state.json");

    public IEnumerable<string> Apps() =>
        Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>() : [];

    /// <summary>The app's record; null when there is none or it cannot be read (the caller rebuilds it).</summary>
    /// <exception cref="NewerStateException">A newer agent wrote it: this one would lose what it does not know.</exception>
    public AppRecord? Load(string app)
    {
        try
        {
            using var file = File.OpenRead(StatePath(app));
            var record = JsonSerializer.Deserialize<AppRecord>(file, Json);
            if (record?.SchemaVersion > AppRecord.CurrentSchemaVersion) throw new NewerStateException(StatePath(app), record.SchemaVersion);
            return record;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Owner-only: the plans it keeps hold env values.</summary>
    public void Save(AppRecord record) => AtomicFile.Write(StatePath(record.App), file => JsonSerializer.Serialize(file, record, Json));
}

/// <summary>state.json has a schema this agent does not know: a newer agent wrote it.</summary>
public sealed class NewerStateException(string path, int schema) : Exception(
    $"{path} was written by a newer podlift-agent (state schema {schema}; this agent knows {AppRecord.CurrentSchemaVersion}): upgrade this agent with `podlift agent install`");


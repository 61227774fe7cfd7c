namespace Podlift.Agent.Docker;

/// <summary>
/// Labels on every container podlift starts, so state can be rebuilt from Docker alone.
/// Named as in podlift.yml: <c>service:</c> is the app (podlift.service), <c>services:</c> are its roles
/// such as web and worker (podlift.role).
/// </summary>
public static class PodliftLabels
{
    public const string App = "podlift.service";
    public const string Service = "podlift.role";
    public const string Version = "podlift.version";
    public const string Replica = "podlift.replica";
    public const string DeployedAt = "podlift.deployed_at";
    public const string DeployedBy = "podlift.deployed_by";
    public const string DeployId = "podlift.deploy_id";
    /// <summary>On dependency containers instead of <see cref="App"/>, so a deploy never treats them as app containers.</summary>
    public const string DependencyOf = "podlift.dependency_of";
    public const string Dependency = "podlift.dependency";
    public const string ConfigHash = "podlift.config_hash";
    /// <summary>On the one-off container of a release command instead of <see cref="App"/>: it is never an app container.</summary>
    public const string ReleaseOf = "podlift.release_of";
}

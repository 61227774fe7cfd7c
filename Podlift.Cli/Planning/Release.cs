namespace Podlift.Cli.Planning;

/// <summary>What is being deployed: one commit, built into one image tag.</summary>
public sealed record Release(string Version, string Image, string DeployedBy, string CommitMessage, string Source = "")
{
    public static string ImageTag(string image, string version) => $"{image}:{version}";
}

using System.Text.RegularExpressions;

namespace Podlift.Protocol;

/// <summary>Docker image references, as both the CLI and the agent name images. Pure.</summary>
public static partial class ImageReference
{
    /// <summary>Docker's bound on a repository name.</summary>
    public const int MaxRepositoryLength = 255;

    /// <summary>registry:5000/app:tag → (registry:5000/app, tag); without a tag, "latest", as Docker reads it. A registry's port is not a tag.</summary>
    public static (string Repository, string Tag) Split(string image)
    {
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    /// <summary>An image name without a tag, such as myapp or ghcr.io/me/myapp (Docker's grammar).</summary>
    public static bool IsRepository(string name) => name.Length <= MaxRepositoryLength && RepositoryPattern().IsMatch(name);

    /// <summary>
    /// A tag as Docker takes it: letters, digits, _ . -, not starting with . or -, at most 128 characters.
    /// podlift's versions are tags (and part of container names and journal file names).
    /// </summary>
    public static bool IsTag(string tag) => TagPattern().IsMatch(tag);

    /// <summary>A full reference: repository, then optionally :tag and @digest.</summary>
    public static bool IsValid(string reference)
    {
        var at = reference.IndexOf('@');
        if (at >= 0 && !DigestPattern().IsMatch(reference[(at + 1)..])) return false;
        var name = at >= 0 ? reference[..at] : reference;
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/')
            ? IsRepository(name[..colon]) && IsTag(name[(colon + 1)..])
            : IsRepository(name);
    }

    // domain (a host with an optional port) is optional; path components are lowercase, joined by . _ __ or dashes
    [GeneratedRegex(@"^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:[0-9]{1,5})?/)?[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\z")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+([+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}\z")]
    private static partial Regex DigestPattern();
}

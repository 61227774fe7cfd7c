namespace Podlift.Protocol;

/// <summary>Docker image references, as both the CLI and the agent name images. Pure.</summary>
public static class ImageReference
{
    /// <summary>registry:5000/app:tag → (registry:5000/app, tag); without a tag, "latest", as Docker reads it. A registry's port is not a tag.</summary>
    public static (string Repository, string Tag) Split(string image)
    {
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }
}

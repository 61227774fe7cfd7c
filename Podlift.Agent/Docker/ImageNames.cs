namespace Podlift.Agent.Docker;

/// <summary>Image references. Pure.</summary>
public static class ImageNames
{
    /// <summary>The same repository at another tag. A registry's port (registry:5000/app:tag) is not a tag.</summary>
    public static string WithTag(string image, string tag) => $"{Split(image).Repository}:{tag}";

    /// <summary>registry:5000/app:tag → (registry:5000/app, tag); without a tag, "latest", as Docker reads it.</summary>
    public static (string Repository, string Tag) Split(string image)
    {
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }
}

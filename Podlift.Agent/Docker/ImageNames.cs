using Podlift.Protocol;

namespace Podlift.Agent.Docker;

/// <summary>Image references. Pure.</summary>
public static class ImageNames
{
    /// <summary>The same repository at another tag. A registry's port (registry:5000/app:tag) is not a tag.</summary>
    public static string WithTag(string image, string tag) => $"{ImageReference.Split(image).Repository}:{tag}";
}

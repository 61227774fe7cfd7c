namespace Podlift.Agent.State;

/// <summary>A write refused because the file system is full (ENOSPC), however deep in the exception it is.</summary>
public static class DiskFull
{
    private const int NoSpaceLeftOnDevice = 28; // ENOSPC on Linux; .NET reports the errno as the HResult

    public const string Fix = "free space on the server (`docker system prune` removes unused images), then try again";

    /// <summary>The error as the user reads it: a full disk says so first; the message names the file.</summary>
    public static string Explain(IOException e) => Caused(e) ? $"this server's disk is full: {e.Message}" : e.Message;

    public static bool Caused(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is IOException && (e.HResult == NoSpaceLeftOnDevice || e.Message.Contains("No space left on device", StringComparison.Ordinal)))
                return true;
        return false;
    }
}

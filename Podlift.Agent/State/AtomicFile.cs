using System.Text;
using Podlift.Agent.Hosting;
using Podlift.Agent.Machine;

namespace Podlift.Agent.State;

/// <summary>
/// How the agent writes every file it keeps (state.json, upstreams.json, proxy.json, the plans, the nginx
/// sites): into a temporary file beside the target (named .&lt;name&gt;.&lt;random&gt;.tmp, which nginx never
/// includes), fsynced, renamed over the target, and the directory fsynced, so a crash or a power cut leaves
/// the old content or the new, never a torn file or a lost rename. Owner-only (0600) unless told otherwise:
/// plans and state hold env values, and nginx's master reads its config as root.
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, string text, UnixFileMode mode = OwnerOnly) =>
        Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)), mode);

    /// <exception cref="IOException">The target was not changed: the message names it (ENOSPC and others keep their HResult).</exception>
    public static void Write(string path, Action<Stream> write, UnixFileMode mode = OwnerOnly)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var file = new FileStream(temporary, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode,
                   }))
            {
                File.SetUnixFileMode(file.SafeFileHandle, mode); // the umask may have taken bits the caller asked for
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException e)
        {
            DeleteQuietly(temporary);
            throw new IOException($"could not write {path}: {e.Message}", e) { HResult = e.HResult };
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
        UnixNative.SyncDirectory(directory); // the rename itself must reach the disk
    }

    private static void DeleteQuietly(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

using System.Runtime.InteropServices;

namespace Podlift.Agent.Machine;

/// <summary>The few libc calls .NET does not expose: ownership, umask, group lookup, signalling a process (group), a directory's fsync.</summary>
internal static partial class UnixNative
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, int owner, int group);

    [LibraryImport("libc")]
    private static partial uint umask(uint mask);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getgrnam(string name);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    private const int SigKill = 9;

    private const int SigHup = 1;

    /// <summary>SIGKILL to every process of a process group; false when none is left (or it is not ours).</summary>
    public static bool KillProcessGroup(int processGroup) => processGroup > 1 && kill(-processGroup, SigKill) == 0;

    /// <summary>SIGHUP to one process; false when it is gone (or not ours).</summary>
    public static bool Hangup(int pid) => pid > 1 && kill(pid, SigHup) == 0;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc")]
    private static partial int close(int fd);

    private const int ReadOnly = 0;
    private const int InvalidArgument = 22; // EINVAL: the file system cannot sync a directory

    /// <summary>fsync of a directory, so a rename in it survives a power cut (.NET opens no directory handles).</summary>
    public static void SyncDirectory(string path)
    {
        var fd = open(path, ReadOnly);
        if (fd < 0) throw new IOException($"open {path}: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var errno and not InvalidArgument)
                throw new IOException($"fsync {path}: errno {errno}", errno);
        }
        finally
        {
            close(fd);
        }
    }

    public static void ChangeGroup(string path, int groupId)
    {
        if (chown(path, -1, groupId) != 0)
            throw new IOException($"chown {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    public static uint SetUmask(uint mask) => umask(mask);

    /// <summary>The gid of a group, or null when the group does not exist.</summary>
    public static int? GroupId(string name)
    {
        var entry = getgrnam(name);
        if (entry == IntPtr.Zero) return null;
        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }
        return Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }
}

using System.Runtime.InteropServices;

namespace Podlift.Agent.Hosting;

/// <summary>The few libc calls .NET does not expose: ownership, umask, group lookup, signalling a process group.</summary>
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

    /// <summary>SIGKILL to every process of a process group; false when none is left (or it is not ours).</summary>
    public static bool KillProcessGroup(int processGroup) => processGroup > 1 && kill(-processGroup, SigKill) == 0;

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

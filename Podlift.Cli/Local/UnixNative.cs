using System.Runtime.InteropServices;

namespace Podlift.Cli.Local;

/// <summary>What a path itself is (a link is not followed): its type, owner and permission bits.</summary>
public sealed record PathEntry(bool IsDirectory, bool IsSymbolicLink, uint OwnerId, UnixFileMode Permissions);

/// <summary>The libc calls .NET does not expose: the effective uid, and a file's owner (statx: one layout on every architecture).</summary>
internal static partial class UnixNative
{
    private const int CurrentDirectory = -100;   // AT_FDCWD
    private const int DoNotFollowLinks = 0x100;  // AT_SYMLINK_NOFOLLOW
    private const uint TypeModeAndOwner = 0x1 | 0x2 | 0x8; // STATX_TYPE | STATX_MODE | STATX_UID
    private const int FileTypeMask = 0xF000;     // S_IFMT
    private const int DirectoryType = 0x4000;    // S_IFDIR
    private const int SymbolicLinkType = 0xA000; // S_IFLNK
    private const int NoSuchFile = 2;            // ENOENT

    /// <summary>struct statx (linux/stat.h): only the fields read here.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(28)] public ushort Mode;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    public static uint EffectiveUserId => geteuid();

    /// <summary>The entry at the path, not following a link; null when there is none.</summary>
    public static PathEntry? Entry(string path)
    {
        if (statx(CurrentDirectory, path, DoNotFollowLinks, TypeModeAndOwner, out var entry) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == NoSuchFile ? null : throw new IOException($"statx {path}: errno {errno}");
        }
        var type = entry.Mode & FileTypeMask;
        return new PathEntry(type == DirectoryType, type == SymbolicLinkType, entry.Uid, (UnixFileMode)(entry.Mode & 0xFFF));
    }
}

using System.Runtime.InteropServices;

namespace Podlift.Cli.Local;

/// <summary>What a path itself is (a link is not followed): its type, owner and permission bits.</summary>
public sealed record PathEntry(bool IsDirectory, bool IsSymbolicLink, uint OwnerId, UnixFileMode Permissions);

/// <summary>
/// Where a file's mode and owner are in the buffer a libc call fills: Linux's statx (one layout on every architecture),
/// or macOS's struct stat with 64-bit inodes (lstat on arm64; lstat$INODE64 on x64, where plain lstat is the old layout).
/// </summary>
public sealed record StatLayout(string Call, int ModeOffset, int OwnerOffset)
{
    public static readonly StatLayout LinuxStatx = new("statx", ModeOffset: 28, OwnerOffset: 20);
    public static readonly StatLayout DarwinArm64 = new("lstat", ModeOffset: 4, OwnerOffset: 16);
    public static readonly StatLayout DarwinX64 = new("lstat$INODE64", ModeOffset: 4, OwnerOffset: 16);

    /// <summary>The call and layout of an OS and architecture; null where podlift does not run. Pure.</summary>
    public static StatLayout? For(bool macOS, bool linux, Architecture architecture) => (macOS, linux) switch
    {
        (true, _) => architecture == Architecture.Arm64 ? DarwinArm64 : DarwinX64,
        (_, true) => LinuxStatx,
        _ => null,
    };

    private const int FileTypeMask = 0xF000;     // S_IFMT
    private const int DirectoryType = 0x4000;    // S_IFDIR
    private const int SymbolicLinkType = 0xA000; // S_IFLNK

    /// <summary>The entry a filled buffer describes: st_mode (16 bits) and st_uid (32 bits), little-endian. Pure.</summary>
    public PathEntry Decode(ReadOnlySpan<byte> buffer)
    {
        var mode = BitConverter.ToUInt16(buffer.Slice(ModeOffset, 2));
        var type = mode & FileTypeMask;
        return new PathEntry(type == DirectoryType, type == SymbolicLinkType, BitConverter.ToUInt32(buffer.Slice(OwnerOffset, 4)), (UnixFileMode)(mode & 0xFFF));
    }
}

/// <summary>The libc calls .NET does not expose: the effective uid, and a file's owner, per OS (see <see cref="StatLayout"/>).</summary>
internal static unsafe partial class UnixNative
{
    private const int CurrentDirectory = -100;   // AT_FDCWD
    private const int DoNotFollowLinks = 0x100;  // AT_SYMLINK_NOFOLLOW
    private const uint TypeModeAndOwner = 0x1 | 0x2 | 0x8; // STATX_TYPE | STATX_MODE | STATX_UID
    private const int NoSuchFile = 2;            // ENOENT, on Linux and macOS
    private const int BufferSize = 256;          // struct statx and macOS's struct stat (144 bytes) both fit

    private static readonly StatLayout Layout = StatLayout.For(OperatingSystem.IsMacOS(), OperatingSystem.IsLinux(), RuntimeInformation.OSArchitecture)
                                                ?? throw new PlatformNotSupportedException("podlift runs on Linux and macOS");

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int DarwinArm64Lstat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "lstat$INODE64", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int DarwinX64Lstat(string path, byte* buffer);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    public static uint EffectiveUserId => geteuid();

    /// <summary>The entry at the path, not following a link; null when there is none.</summary>
    public static PathEntry? Entry(string path)
    {
        var buffer = stackalloc byte[BufferSize];
        var result = Layout == StatLayout.LinuxStatx ? statx(CurrentDirectory, path, DoNotFollowLinks, TypeModeAndOwner, buffer)
            : Layout == StatLayout.DarwinArm64 ? DarwinArm64Lstat(path, buffer)
            : DarwinX64Lstat(path, buffer);
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == NoSuchFile ? null : throw new IOException($"{Layout.Call} {path}: errno {errno}");
        }
        return Layout.Decode(new ReadOnlySpan<byte>(buffer, BufferSize));
    }
}

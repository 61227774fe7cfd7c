using Podlift.Cli.Errors;
using Podlift.Cli.Local;

namespace Podlift.Cli.Remote;

/// <summary>
/// The local directory of ssh's control sockets and of the forwarded agent sockets. It sits in /tmp, where
/// anyone can create names: whoever controls the directory could put a socket of theirs where podlift expects
/// ssh's and answer its agent calls. So it is created private in one step (mkdir with mode 0700, never a chmod
/// after the fact), and an existing one is used only if it is a directory, not a link, owned by this user and
/// open to no one else. Anything else is refused, and left as it is.
/// </summary>
public static class SocketDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>In /tmp and short, because a unix socket's path is limited: 108 bytes on Linux, 104 on macOS (see <see cref="SocketPathProblem"/>).</summary>
    public static string Default => Path.Combine("/tmp", $"podlift-{Environment.UserName}");

    /// <summary>ssh binds its control socket under a temporary name first: the path, a dot and 16 random characters.</summary>
    public const int SshTemporarySuffix = 17;

    /// <summary>The longest socket path the OS takes: sun_path holds 108 bytes on Linux, 104 on macOS and the BSDs, the final NUL included. Pure.</summary>
    public static int MaximumSocketPathBytes(bool macOS) => (macOS ? 104 : 108) - 1;

    /// <summary>Why a socket at <paramref name="path"/> (and <paramref name="reserved"/> bytes more) cannot be bound; null when it can. Pure.</summary>
    public static string? SocketPathProblem(string path, int reserved, bool macOS)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(path) + reserved;
        var limit = MaximumSocketPathBytes(macOS);
        return bytes <= limit ? null : $"the socket path {path} is {bytes} bytes{(reserved > 0 ? " as ssh binds it" : "")}, over the {limit} {(macOS ? "macOS" : "Linux")} allows";
    }

    /// <summary>The path, if a socket fits there; else a connection error before ssh is started.</summary>
    public static string RequireFits(string path, int reserved = 0) =>
        SocketPathProblem(path, reserved, OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()) is { } problem
            ? throw new ConnectionException(problem, "a shorter login name makes it fit: podlift keeps its sockets in /tmp/podlift-<user>")
            : path;

    /// <summary>A run's socket for a server: "{server key}-{pid}.{kind}", so runs beside each other never share one. Pure.</summary>
    public static string RunSocket(string directory, string serverKey, int pid, string kind) => Path.Combine(directory, $"{serverKey}-{pid}.{kind}");

    /// <summary>The other runs' sockets of that kind for the same server as <paramref name="socket"/> (a <see cref="RunSocket"/>), with their pids.</summary>
    public static IEnumerable<(string Path, int Pid)> OtherRunSockets(string socket)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(socket);
        var prefix = name[..(name.LastIndexOf('-') + 1)];
        foreach (var other in Directory.EnumerateFiles(System.IO.Path.GetDirectoryName(socket)!, prefix + "*" + System.IO.Path.GetExtension(socket)))
            if (other != socket && int.TryParse(System.IO.Path.GetFileNameWithoutExtension(other)[prefix.Length..], System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var pid))
                yield return (other, pid);
    }

    public static string Ensure(string path)
    {
        try
        {
            if (UnixNative.Entry(path) is null) Directory.CreateDirectory(path, OwnerOnly);
        }
        catch (IOException)
        {
            // created by someone else in the meantime, or not creatable: the check says what is there
        }
        if (Problem(path) is { } problem)
            throw new ConnectionException($"{path} {problem}; podlift keeps its SSH control sockets there, so it must be a directory of yours that only you can open",
                $"remove it (rm -r {path}); podlift creates it again, private to you");
        return path;
    }

    /// <summary>What makes the path unfit for the sockets, or null when it is a private directory of this user.</summary>
    public static string? Problem(string path) => UnixNative.Entry(path) switch
    {
        null => "could not be created",
        { IsSymbolicLink: true } => "is a symbolic link",
        { IsDirectory: false } => "is not a directory",
        { OwnerId: var owner } when owner != UnixNative.EffectiveUserId => $"belongs to another user (uid {owner})",
        { Permissions: var mode } when mode != OwnerOnly => $"has mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}, not 0700",
        _ => null,
    };
}

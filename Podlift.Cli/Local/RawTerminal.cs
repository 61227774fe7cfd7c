using System.Runtime.InteropServices;

namespace Podlift.Cli.Local;

/// <summary>
/// The local terminal in raw mode for an interactive `podlift exec`: every key, Ctrl-C and Ctrl-D included,
/// goes to the remote TTY as typed, and the remote TTY does the echoing. Disposing restores the terminal.
/// The termios structure is handled as opaque bytes (cfmakeraw knows its layout: 60 bytes on Linux, 72 on macOS), so
/// no per-platform struct is needed; TCSANOW and TCSADRAIN are 0 and 1 on both.
/// </summary>
public sealed class RawTerminal : IDisposable
{
    private const int StandardInput = 0;
    private const int StandardOutput = 1;
    private const int SetNow = 0;           // TCSANOW
    private const int SetAfterOutput = 1;   // TCSADRAIN
    private const ulong LinuxGetWindowSize = 0x5413; // TIOCGWINSZ
    private readonly byte[] _saved;
    private bool _restored;

    private RawTerminal(byte[] saved) => _saved = saved;

    /// <summary>Raw mode on stdin, or null when stdin is not a terminal that allows it.</summary>
    public static RawTerminal? TryEnter()
    {
        var saved = new byte[256];
        if (tcgetattr(StandardInput, saved) != 0) return null;
        var raw = (byte[])saved.Clone();
        cfmakeraw(raw);
        return tcsetattr(StandardInput, SetNow, raw) == 0 ? new RawTerminal(saved) : null;
    }

    /// <summary>
    /// The terminal's columns and rows, or null when stdout is not a terminal. On Linux, TIOCGWINSZ on stdout (which
    /// may be a terminal while stdin is not); elsewhere what .NET's console reports: macOS's request number differs, and
    /// its ioctl is variadic, which a P/Invoke cannot call correctly on Apple silicon.
    /// </summary>
    public static (uint Width, uint Height)? Size()
    {
        if (OperatingSystem.IsLinux())
        {
            var size = default(WindowSize);
            return ioctl(StandardOutput, (nuint)LinuxGetWindowSize, ref size) == 0 && size.Columns > 0 ? (size.Columns, size.Rows) : null;
        }
        try
        {
            return ((uint)Console.WindowWidth, (uint)Console.WindowHeight);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (_restored) return;
        _restored = true;
        tcsetattr(StandardInput, SetAfterOutput, _saved);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WindowSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort PixelWidth;
        public ushort PixelHeight;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int tcgetattr(int fd, byte[] termios);

    [DllImport("libc", SetLastError = true)]
    private static extern int tcsetattr(int fd, int optionalActions, byte[] termios);

    [DllImport("libc")]
    private static extern void cfmakeraw(byte[] termios);

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(int fd, nuint request, ref WindowSize size);
}

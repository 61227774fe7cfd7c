using System.Net.Sockets;
using Podlift.Protocol;
using Podlift.Agent.Machine;

namespace Podlift.Agent.Hosting;

/// <summary>
/// The agent's only listener: a unix socket, mode 0660, group podlift, in a 0750 directory.
/// Root and members of the podlift group can reach it; nothing else can, and there is no TCP port.
/// </summary>
public sealed class AgentSocket(string path)
{
    private const uint SocketUmask = 0b001_001_111; // umask 0117: the socket is created 0660
    private uint _previousUmask;

    public string Path { get; } = path;

    public static AgentSocket Default => new(AgentProtocol.SocketPath);

    /// <summary>Prepares the directory and clears a stale socket; refuses if another agent answers on it.</summary>
    public void PrepareForBind()
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        if (GroupId() is { } gid) UnixNative.ChangeGroup(directory, gid);

        if (File.Exists(Path))
        {
            if (SomeoneListens()) throw new InvalidOperationException($"another podlift-agent already listens on {Path}");
            File.Delete(Path);
        }
        _previousUmask = UnixNative.SetUmask(SocketUmask);
    }

    /// <summary>Called once Kestrel has bound the socket.</summary>
    public void AfterBind()
    {
        UnixNative.SetUmask(_previousUmask);
        if (GroupId() is { } gid) UnixNative.ChangeGroup(Path, gid);
        File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
    }

    private static int? GroupId() => UnixNative.GroupId(AgentProtocol.SocketGroup);

    private bool SomeoneListens()
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(Path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using Podlift.Cli.Errors;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class SocketDirectoryTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Test]
    public void A_missing_directory_is_created_private()
    {
        using var temp = new TempDirectory();
        var path = temp.PathOf("podlift-alice");

        Assert.That(SocketDirectory.Ensure(path), Is.EqualTo(path));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(Private));
    }

    [Test]
    public void A_private_directory_of_ours_is_used_as_it_is()
    {
        using var temp = new TempDirectory();
        var path = Directory.CreateDirectory(temp.PathOf("podlift-alice"), Private).FullName;
        File.WriteAllText(Path.Combine(path, "other.ctl"), "");

        Assert.That(SocketDirectory.Ensure(path), Is.EqualTo(path));
        Assert.That(File.Exists(Path.Combine(path, "other.ctl")), Is.True);
    }

    [Test]
    public void A_directory_others_can_open_is_refused_and_left_alone()
    {
        using var temp = new TempDirectory();
        var path = Directory.CreateDirectory(temp.PathOf("podlift-alice"), Private | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute).FullName;

        var refused = Assert.Throws<ConnectionException>(() => SocketDirectory.Ensure(path))!;

        Assert.That(refused.Message, Does.Contain(path).And.Contain("mode 0755"));
        Assert.That(refused.Fix, Does.Contain($"rm -r {path}"));
        Assert.That(File.GetUnixFileMode(path) & UnixFileMode.OtherRead, Is.EqualTo(UnixFileMode.OtherRead), "not chmod-ed into use: someone else may hold it open");
    }

    [Test]
    public void A_symbolic_link_is_refused_even_to_a_private_directory()
    {
        using var temp = new TempDirectory();
        var target = Directory.CreateDirectory(temp.PathOf("elsewhere"), Private).FullName;
        var path = temp.PathOf("podlift-alice");
        File.CreateSymbolicLink(path, target);

        var refused = Assert.Throws<ConnectionException>(() => SocketDirectory.Ensure(path))!;

        Assert.That(refused.Message, Does.Contain(path).And.Contain("symbolic link"));
    }

    [Test]
    public void A_dangling_symbolic_link_is_refused()
    {
        using var temp = new TempDirectory();
        var path = temp.PathOf("podlift-alice");
        File.CreateSymbolicLink(path, temp.PathOf("not-there"));

        var refused = Assert.Throws<ConnectionException>(() => SocketDirectory.Ensure(path))!;

        Assert.That(refused.Message, Does.Contain("symbolic link"));
        Assert.That(Directory.Exists(temp.PathOf("not-there")), Is.False, "nothing created through the link");
    }

    [Test]
    public void A_file_in_the_way_is_refused()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("podlift-alice", "");

        var refused = Assert.Throws<ConnectionException>(() => SocketDirectory.Ensure(path))!;

        Assert.That(refused.Message, Does.Contain(path).And.Contain("not a directory"));
    }

    [Test]
    public void A_directory_of_another_user_is_refused()
    {
        Assume.That(Environment.UserName, Is.EqualTo("root"), "only root can give a directory away");
        using var temp = new TempDirectory();
        var path = Directory.CreateDirectory(temp.PathOf("podlift-alice"), Private).FullName;
        var chown = System.Diagnostics.Process.Start("chown", ["65534", path])!;
        chown.WaitForExit();
        Assume.That(chown.ExitCode, Is.Zero);

        var refused = Assert.Throws<ConnectionException>(() => SocketDirectory.Ensure(path))!;

        Assert.That(refused.Message, Does.Contain(path).And.Contain("uid 65534"));
    }

    [Test]
    public void A_runs_sockets_are_told_from_other_runs_of_the_same_server_by_their_pid()
    {
        using var temp = new TempDirectory();
        var mine = SocketDirectory.RunSocket(temp.Path, "6aa05b7778", 300, "agent");
        foreach (var other in new[] { mine, SocketDirectory.RunSocket(temp.Path, "6aa05b7778", 41, "agent"), SocketDirectory.RunSocket(temp.Path, "6aa05b7778", 41, "ctl"),
                     SocketDirectory.RunSocket(temp.Path, "0f6e6dff99", 41, "agent"), temp.PathOf("6aa05b7778-x.agent") })
            File.WriteAllText(other, "");

        Assert.That(Path.GetFileName(mine), Is.EqualTo("6aa05b7778-300.agent"));
        Assert.That(SocketDirectory.OtherRunSockets(mine), Is.EqualTo(new[] { (temp.PathOf("6aa05b7778-41.agent"), 41) }),
            "not itself, not another kind, not another server, not a name without a pid");
    }
}

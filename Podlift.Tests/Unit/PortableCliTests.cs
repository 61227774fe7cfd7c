using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Podlift.Cli.Local;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

/// <summary>What differs between the CLI on Linux and on macOS: the stat call and its layout, the socket path limit, Docker's socket.</summary>
public class PortableCliTests
{
    [TestCase(true, false, Architecture.Arm64, "lstat")]
    [TestCase(true, false, Architecture.X64, "lstat$INODE64")]
    [TestCase(false, true, Architecture.X64, "statx")]
    [TestCase(false, true, Architecture.Arm64, "statx")]
    public void Each_OS_and_architecture_has_its_stat_call(bool macOS, bool linux, Architecture architecture, string call) =>
        Assert.That(StatLayout.For(macOS, linux, architecture)!.Call, Is.EqualTo(call));

    [Test]
    public void Another_OS_has_none() => Assert.That(StatLayout.For(macOS: false, linux: false, Architecture.X64), Is.Null);

    [Test]
    public void A_macOS_struct_stat_is_read_at_its_own_offsets()
    {
        // struct stat with 64-bit inodes: st_dev (4 bytes), st_mode (2), st_nlink (2), st_ino (8), st_uid (4), st_gid (4), ...
        var buffer = new byte[144];
        BitConverter.GetBytes(16777220).CopyTo(buffer, 0);
        BitConverter.GetBytes((ushort)0x41C0).CopyTo(buffer, 4); // S_IFDIR | 0700
        BitConverter.GetBytes((ushort)2).CopyTo(buffer, 6);
        BitConverter.GetBytes(123456789UL).CopyTo(buffer, 8);
        BitConverter.GetBytes(501u).CopyTo(buffer, 16);
        BitConverter.GetBytes(20u).CopyTo(buffer, 20);

        Assert.That(StatLayout.DarwinArm64.Decode(buffer), Is.EqualTo(new PathEntry(IsDirectory: true, IsSymbolicLink: false, OwnerId: 501, (UnixFileMode)0b111_000_000)));
        Assert.That(StatLayout.DarwinX64.Decode(buffer), Is.EqualTo(StatLayout.DarwinArm64.Decode(buffer)));
    }

    [Test]
    public void A_symbolic_link_is_told_from_its_mode()
    {
        var buffer = new byte[256];
        BitConverter.GetBytes((ushort)0xA1FF).CopyTo(buffer, 28); // statx: S_IFLNK | 0777
        BitConverter.GetBytes(1000u).CopyTo(buffer, 20);

        Assert.That(StatLayout.LinuxStatx.Decode(buffer), Is.EqualTo(new PathEntry(false, true, 1000, (UnixFileMode)0x1FF)));
    }

    [Test]
    public void The_real_call_of_this_machine_reads_a_directory_of_ours()
    {
        using var temp = new TempDirectory();
        var path = Directory.CreateDirectory(temp.PathOf("mine"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;

        Assert.That(SocketDirectory.Problem(path), Is.Null);
    }

    [TestCase(false, 107)]
    [TestCase(true, 103)]
    public void A_socket_path_fits_in_sun_path_with_its_final_NUL(bool macOS, int bytes) =>
        Assert.That(SocketDirectory.MaximumSocketPathBytes(macOS), Is.EqualTo(bytes));

    [Test]
    public void A_control_path_that_fits_on_Linux_can_be_too_long_on_macOS_once_ssh_adds_its_temporary_suffix()
    {
        var path = "/tmp/podlift-" + new string('a', 53) + "/0123456789-1234567.ctl"; // 89 bytes

        Assert.That(SocketDirectory.SocketPathProblem(path, 0, macOS: true), Is.Null);
        Assert.That(SocketDirectory.SocketPathProblem(path, SocketDirectory.SshTemporarySuffix, macOS: false), Is.Null);
        Assert.That(SocketDirectory.SocketPathProblem(path, SocketDirectory.SshTemporarySuffix, macOS: true), Does.Contain("106 bytes").And.Contain("103 macOS allows"));
    }

    [Test]
    public void The_default_socket_directory_leaves_room_for_a_long_login_name_on_macOS()
    {
        var controlPath = $"/tmp/podlift-{new string('u', 32)}/0123456789-4194304.ctl";

        Assert.That(SocketDirectory.SocketPathProblem(controlPath, SocketDirectory.SshTemporarySuffix, macOS: true), Is.Null);
    }

    private const string Home = "/Users/ada";

    private static string Resolve(Dictionary<string, string>? environment = null, Dictionary<string, string>? files = null, params string[] sockets) =>
        DockerEndpoint.Resolve(name => environment?.GetValueOrDefault(name), Home, sockets.Contains, path => files?.GetValueOrDefault(path));

    private static string MetaPath(string context, string directory = Home + "/.docker") =>
        $"{directory}/contexts/meta/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(context)))}/meta.json";

    private static string Meta(string host) =>
        """{"Name":"x","Metadata":{},"Endpoints":{"docker":{"Host":""" + System.Text.Json.JsonSerializer.Serialize(host) + ""","SkipTLSVerify":false}}}""";

    [Test]
    public void DOCKER_HOST_wins() =>
        Assert.That(Resolve(new() { ["DOCKER_HOST"] = "tcp://10.0.0.5:2375", ["DOCKER_CONTEXT"] = "colima" }, null, "/var/run/docker.sock"), Is.EqualTo("tcp://10.0.0.5:2375"));

    [Test]
    public void The_current_context_of_config_json_names_the_endpoint()
    {
        var files = new Dictionary<string, string>
        {
            [$"{Home}/.docker/config.json"] = """{"auths":{},"currentContext":"colima"}""",
            [MetaPath("colima")] = Meta($"unix://{Home}/.colima/default/docker.sock"),
        };

        Assert.That(Resolve(null, files, "/var/run/docker.sock"), Is.EqualTo($"unix://{Home}/.colima/default/docker.sock"));
    }

    [Test]
    public void DOCKER_CONTEXT_and_DOCKER_CONFIG_are_read_as_docker_reads_them()
    {
        var files = new Dictionary<string, string>
        {
            ["/etc/ci-docker/config.json"] = """{"currentContext":"colima"}""",
            [MetaPath("orbstack", "/etc/ci-docker")] = Meta($"unix://{Home}/.orbstack/run/docker.sock"),
        };

        Assert.That(Resolve(new() { ["DOCKER_CONTEXT"] = "orbstack", ["DOCKER_CONFIG"] = "/etc/ci-docker" }, files), Is.EqualTo($"unix://{Home}/.orbstack/run/docker.sock"));
    }

    [Test]
    public void The_default_context_is_the_default_socket() =>
        Assert.That(Resolve(null, new() { [$"{Home}/.docker/config.json"] = """{"currentContext":"default"}""" }, "/var/run/docker.sock"),
            Is.EqualTo("unix:///var/run/docker.sock"));

    [Test]
    public void Docker_Desktop_without_the_default_socket_is_found_in_the_home_directory() =>
        Assert.That(Resolve(null, null, $"{Home}/.docker/run/docker.sock"), Is.EqualTo($"unix://{Home}/.docker/run/docker.sock"));

    [Test]
    public void Docker_Desktop_for_Linux_too() =>
        Assert.That(Resolve(null, null, $"{Home}/.docker/desktop/docker.sock"), Is.EqualTo($"unix://{Home}/.docker/desktop/docker.sock"));

    [Test]
    public void A_context_whose_files_are_missing_or_broken_falls_back_to_the_sockets()
    {
        var files = new Dictionary<string, string> { [$"{Home}/.docker/config.json"] = """{"currentContext":"gone"}""", [MetaPath("gone")] = "{not json" };

        Assert.That(Resolve(null, files, $"{Home}/.docker/run/docker.sock"), Is.EqualTo($"unix://{Home}/.docker/run/docker.sock"));
    }

    [Test]
    public void Without_any_socket_the_default_one_is_named_for_the_error_to_say_so() =>
        Assert.That(Resolve(), Is.EqualTo(DockerEndpoint.DefaultSocket));
}

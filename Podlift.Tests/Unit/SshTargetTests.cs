using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class SshTargetTests
{
    // `ssh -F config -o BatchMode=yes -o ConnectTimeout=10 -G prod-a` (OpenSSH 9.2p1) with this config:
    //   Host prod-a
    //     HostName 10.0.0.5
    //     User deploy
    //     Port 2222
    //     ProxyJump bastion.example.com
    // (the beginning and the end of its 86 lines)
    private const string AliasWithJump = """
        host prod-a
        user deploy
        hostname 10.0.0.5
        port 2222
        addressfamily any
        batchmode yes
        canonicalizefallbacklocal yes
        canonicalizehostname false
        checkhostip no
        compression no
        controlmaster false
        identitiesonly no
        identityfile ~/.ssh/id_rsa
        identityfile ~/.ssh/id_ed25519
        userknownhostsfile /root/.ssh/known_hosts /root/.ssh/known_hosts2
        connecttimeout 10
        controlpersist no
        streamlocalbindmask 0177
        syslogfacility USER
        proxyjump bastion.example.com
        """;

    // `ssh -G 10.0.0.1` with no Host block for it: no proxyjump line, the host name is the address
    private const string PlainAddress = """
        host 10.0.0.1
        user root
        hostname 10.0.0.1
        port 22
        addressfamily any
        batchmode yes
        """;

    [Test]
    public void An_alias_resolves_to_its_user_address_port_and_jump_host()
    {
        var target = SshTarget.Parse("prod-a", AliasWithJump);

        Assert.That(target, Is.EqualTo(new SshTarget("prod-a", "deploy", "10.0.0.5", 2222, "bastion.example.com")));
        Assert.That(target.IsRoot, Is.False);
        Assert.That(target.Label, Is.EqualTo("prod-a (10.0.0.5)"));
        Assert.That(target.Login, Is.EqualTo("deploy@prod-a:2222 (10.0.0.5, via bastion.example.com)"));
    }

    [Test]
    public void An_address_is_named_once()
    {
        var target = SshTarget.Parse("10.0.0.1", PlainAddress);

        Assert.That(target, Is.EqualTo(new SshTarget("10.0.0.1", "root", "10.0.0.1", 22)));
        Assert.That(target.IsRoot, Is.True);
        Assert.That(target.Label, Is.EqualTo("10.0.0.1"));
        Assert.That(target.Login, Is.EqualTo("root@10.0.0.1:22"));
    }

    [Test]
    public void Root_commands_get_sudo_when_ssh_logs_in_as_another_user_whatever_podlift_yml_says()
    {
        var fromSshConfig = SshTarget.Parse("prod-a", AliasWithJump); // podlift.yml sets no user: ssh's config says deploy

        Assert.That(SshConnection.RemoteCommand(fromSshConfig, "sh -s", sudo: true), Is.EqualTo("sudo -n sh -s"));
        Assert.That(SshConnection.RemoteCommand(fromSshConfig, "sh -s", sudo: false), Is.EqualTo("sh -s"));
        Assert.That(SshConnection.RemoteCommand(SshTarget.Parse("10.0.0.1", PlainAddress), "sh -s", sudo: true), Is.EqualTo("sh -s"), "root needs no sudo");
    }

    [TestCase("user")]
    [TestCase("hostname")]
    [TestCase("port")]
    public void Output_without_a_needed_value_is_a_connection_error(string missing)
    {
        var output = string.Join('\n', PlainAddress.Split('\n').Where(line => !line.StartsWith(missing + " ")));

        var error = Assert.Throws<ConnectionException>(() => SshTarget.Parse("10.0.0.1", output))!;

        Assert.That(error.Message, Does.Contain("10.0.0.1").And.Contain(missing));
    }

    [Test]
    public async Task Real_ssh_applies_the_config_file_without_connecting()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("config", """
            Host prod-a
              HostName 10.0.0.5
              User deploy
              Port 2222
              ProxyJump bastion.example.com
            Host prod-b
              HostName 10.0.0.6
            """);
        var settings = new SshSettings(config, null);

        var alias = await SshConnection.ResolveAsync(new ServerConfig("prod-a", null, null, null, [], []), settings, CancellationToken.None);
        var overridden = await SshConnection.ResolveAsync(new ServerConfig("prod-a", "root", 22, null, [], []), settings, CancellationToken.None);
        var other = await SshConnection.ResolveAsync(new ServerConfig("prod-b", null, null, null, [], []), settings, CancellationToken.None);

        Assert.That(alias, Is.EqualTo(new SshTarget("prod-a", "deploy", "10.0.0.5", 2222, "bastion.example.com")));
        Assert.That(overridden, Is.EqualTo(new SshTarget("prod-a", "root", "10.0.0.5", 22, "bastion.example.com")), "user: and port: in podlift.yml win");
        Assert.That((other.Address, other.Port, other.ProxyJump), Is.EqualTo(("10.0.0.6", 22, (string?)null)));
    }

    [Test]
    public void A_config_file_ssh_cannot_read_is_a_connection_error_quoting_ssh()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("config", "Host prod-a\n  NoSuchOption yes\n");

        var error = Assert.ThrowsAsync<ConnectionException>(() =>
            SshConnection.ResolveAsync(new ServerConfig("prod-a", null, null, null, [], []), new SshSettings(config, null), CancellationToken.None))!;

        Assert.That(error.Message, Does.Contain("prod-a").And.Contain("Bad configuration option"));
    }

    [TestCase("auto", "600", true)]
    [TestCase("true", "yes", true)]
    [TestCase("auto", "no", false)]
    [TestCase("false", "600", false)]
    [TestCase("autoask", "600", false)]
    [TestCase("ask", "600", false)]
    public void A_control_path_is_shared_and_podlift_starts_a_master_there_only_when_ssh_would_keep_one(string master, string persist, bool mayStart)
    {
        var target = SshTarget.Parse("10.0.0.1", $"{PlainAddress}\ncontrolmaster {master}\ncontrolpath /home/alice/.ssh/cm-root@10.0.0.1:22\ncontrolpersist {persist}\n");

        Assert.That(target.Sharing, Is.EqualTo(new SshSharing("/home/alice/.ssh/cm-root@10.0.0.1:22", mayStart)));
    }

    [Test]
    public void Without_a_control_path_nothing_is_shared()
    {
        Assert.That(SshTarget.Parse("prod-a", AliasWithJump).Sharing, Is.Null, "controlmaster and controlpersist alone share nothing");
        Assert.That(SshTarget.Parse("10.0.0.1", $"{PlainAddress}\ncontrolmaster auto\ncontrolpath none\ncontrolpersist yes\n").Sharing, Is.Null);
    }

    [Test]
    public async Task Real_ssh_gives_the_control_path_expanded_for_the_login_podlift_makes()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("config", $"""
            Host prod-a
              HostName 10.0.0.5
              User deploy
              ControlMaster auto
              ControlPath {temp.Path}/%r@%h:%p
              ControlPersist 10m
            """);
        var settings = new SshSettings(config, null);

        var fromConfig = await SshConnection.ResolveAsync(new ServerConfig("prod-a", null, null, null, [], []), settings, CancellationToken.None);
        var overridden = await SshConnection.ResolveAsync(new ServerConfig("prod-a", "root", 2222, null, [], []), settings, CancellationToken.None);

        Assert.That(fromConfig.Sharing, Is.EqualTo(new SshSharing($"{temp.Path}/deploy@10.0.0.5:22", MayStart: true)));
        Assert.That(overridden.Sharing, Is.EqualTo(new SshSharing($"{temp.Path}/root@10.0.0.5:2222", MayStart: true)), "user: and port: in podlift.yml make another connection");
    }

    [Test]
    public async Task A_shared_connection_that_cannot_exist_leaves_podlift_its_own_without_connecting()
    {
        using var temp = new TempDirectory();
        var server = new ServerConfig("prod-a", null, null, null, [], []);
        var trace = new List<string>();
        var settings = new SshSettings(temp.Write("config", "Host prod-a\n  HostName 10.0.0.5\n"), trace.Add);

        var missingDirectory = await SharedSshMaster.JoinAsync(server, settings, new SshSharing(temp.PathOf("no-such-dir/cm"), MayStart: true), temp.PathOf("a.agent"), CancellationToken.None);
        var notToStart = await SharedSshMaster.JoinAsync(server, settings, new SshSharing(temp.PathOf("cm"), MayStart: false), temp.PathOf("a.agent"), CancellationToken.None);

        Assert.That(missingDirectory, Is.Null);
        Assert.That(notToStart, Is.Null, "no master runs and the config would not keep one");
        Assert.That(trace, Has.Some.Contains("does not exist").And.Some.Contains("podlift opens its own connection"));
        Assert.That(trace, Has.None.Contains("ControlMaster=auto"), "nothing tried to log in");
    }
}

using NUnit.Framework;
using Podlift.Cli.Errors;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class SshFailureTests
{
    private const string Host = "app1.example.com";

    private static TestCaseData Case(string name, string stderr, string message, string fix) =>
        new TestCaseData(stderr, message, fix).SetArgDisplayNames(name);

    private static IEnumerable<TestCaseData> OpenSshErrors()
    {
        yield return Case("unknown host key",
            "No ED25519 host key is known for app1.example.com and you have requested strict checking.\r\nHost key verification failed.\r\n",
            "host key is not known", $"ssh-keyscan -H {Host} >> ~/.ssh/known_hosts");
        yield return Case("host key verification failed",
            "Host key verification failed.\n",
            "host key is not known", "verify the key's fingerprint");
        yield return Case("changed host key", """
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
            Someone could be eavesdropping on you right now (man-in-the-middle attack)!
            It is also possible that a host key has just been changed.
            The fingerprint for the ED25519 key sent by the remote host is
            SHA256:3MnXb2Z4k5pQ8vJZyHq6m4bq0kqvJX8f5X6e0m2Y1aE.
            Please contact your system administrator.
            Add correct host key in /home/alice/.ssh/known_hosts to get rid of this message.
            Offending ED25519 key in /home/alice/.ssh/known_hosts:7
            Host key for app1.example.com has changed and you have requested strict checking.
            Host key verification failed.
            """,
            "host key has CHANGED", $"ssh-keygen -R {Host}");
        yield return Case("public key refused",
            "deploy@app1.example.com: Permission denied (publickey).\n",
            "SSH login was refused (deploy@app1.example.com: Permission denied (publickey).)", "authorized_keys");
        yield return Case("password only server",
            "Warning: Permanently added 'app1.example.com' (ED25519) to the list of known hosts.\r\nroot@app1.example.com: Permission denied (publickey,password).\r\n",
            "SSH login was refused (root@app1.example.com: Permission denied (publickey,password).)", "ssh_key:");
        yield return Case("connection refused",
            "ssh: connect to host app1.example.com port 22: Connection refused\n",
            "cannot reach sshd (ssh: connect to host app1.example.com port 22: Connection refused)", "SSH port is open");
        yield return Case("timeout",
            "ssh: connect to host app1.example.com port 22: Connection timed out\n",
            "cannot reach sshd", "server is up");
        yield return Case("no route",
            "ssh: connect to host 10.0.0.9 port 22: No route to host\n",
            "cannot reach sshd", "server is up");
        yield return Case("unresolvable name",
            "ssh: Could not resolve hostname app1.example.com: Name or service not known\n",
            "host name does not resolve", "host:");
        yield return Case("anything else",
            "kex_exchange_identification: read: Connection reset by peer\nConnection reset by 10.0.0.9 port 22\n",
            "SSH connection failed: Connection reset by 10.0.0.9 port 22", $"ssh {Host}");
        yield return Case("no message at all", "",
            "SSH connection failed: ssh exited without a message", $"ssh {Host}");
    }

    [TestCaseSource(nameof(OpenSshErrors))]
    public void Classifies_openssh_errors(string stderr, string message, string fix)
    {
        var error = SshFailure.Classify(Host, stderr);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.ExitCode, Is.EqualTo(ExitCode.Connection));
            Assert.That((int)error.ExitCode, Is.EqualTo(5));
            Assert.That(error.Message, Does.StartWith($"{Host}: "));
            Assert.That(error.Message, Does.Contain(message));
            Assert.That(error.Fix, Does.Contain(fix));
        }
    }

    [Test]
    public void A_changed_host_key_is_never_reported_as_merely_unknown()
    {
        var error = SshFailure.Classify(Host, "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!\nHost key verification failed.\n");

        Assert.That(error.Message, Does.Contain("CHANGED"));
        Assert.That(error.Fix, Does.Not.Contain("ssh-keyscan"), "blindly re-adding a changed key would defeat the check");
    }
}

using Podlift.Agent.Deploy;
using Podlift.Agent.State;

namespace Podlift.Tests.Unit;

public class DiskFullTests
{
    [Test]
    public void A_deploy_that_hit_a_full_disk_says_so_and_where()
    {
        using var dir = new TempDirectory();
        var path = dir.PathOf("state.json");
        var full = Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => throw new IOException("No space left on device : '/var/lib/podlift/myapp/.state.json.1.tmp'", 28)))!;

        var (message, detail) = JobFailures.Describe(full);

        Assert.That(message, Is.EqualTo($"this server's disk is full: could not write {path}: No space left on device : '/var/lib/podlift/myapp/.state.json.1.tmp'"));
        Assert.That(detail, Is.EqualTo(DiskFull.Fix));
    }

    [Test]
    public void Another_IO_error_is_told_as_it_is() =>
        Assert.That(JobFailures.Describe(new IOException("Input/output error", 5)), Is.EqualTo(("Input/output error", (string?)null)));
}

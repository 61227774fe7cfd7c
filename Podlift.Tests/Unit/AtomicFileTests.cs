using Podlift.Agent.State;

namespace Podlift.Tests.Unit;

public class AtomicFileTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => _dir.Dispose();

    private string[] Entries() => Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName).OfType<string>().ToArray();

    [Test]
    public void Writes_the_content_owner_only_and_leaves_no_temporary_file()
    {
        var path = _dir.PathOf("state.json");

        AtomicFile.Write(path, "{\"app\":\"myapp\"}");

        Assert.That(File.ReadAllText(path), Is.EqualTo("{\"app\":\"myapp\"}"));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(Entries(), Is.EqualTo(new[] { "state.json" }));
    }

    [Test]
    public void Overwrites_and_makes_an_older_readable_file_owner_only()
    {
        var path = _dir.Write("podlift-myapp.conf", "old config, a longer text than the new one");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100); // 0644, as older agents left the site

        AtomicFile.Write(path, "new");

        Assert.That(File.ReadAllText(path), Is.EqualTo("new"));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(AtomicFile.OwnerOnly));
        Assert.That(Entries(), Is.EqualTo(new[] { "podlift-myapp.conf" }));
    }

    [Test]
    public void Another_mode_is_kept_whatever_the_umask()
    {
        var path = _dir.PathOf("readable.txt");
        const UnixFileMode everyoneReads = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

        AtomicFile.Write(path, "x", everyoneReads);

        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(everyoneReads));
    }

    [Test]
    public void Creates_the_directory()
    {
        var path = Path.Combine(_dir.Path, "myapp", "journal", "d-1.plan.json");

        AtomicFile.Write(path, "{}");

        Assert.That(File.ReadAllText(path), Is.EqualTo("{}"));
    }

    [Test]
    public void The_temporary_file_is_one_nginx_does_not_include()
    {
        var path = _dir.PathOf("podlift-myapp.conf");
        string? temporary = null;

        AtomicFile.Write(path, stream =>
        {
            temporary = Entries().Single();
            stream.WriteByte((byte)'x');
        });

        Assert.That(temporary, Does.StartWith(".podlift-myapp.conf.").And.EndWith(".tmp"));
        Assert.That(temporary, Does.Not.EndWith(".conf"));
    }

    [Test]
    public void A_failed_write_leaves_the_old_content_and_no_temporary_file_and_names_the_file()
    {
        var path = _dir.Write("state.json", "old");

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte((byte)'n');
            throw new IOException("No space left on device : '/somewhere'", 28);
        }))!;

        Assert.That(File.ReadAllText(path), Is.EqualTo("old"));
        Assert.That(Entries(), Is.EqualTo(new[] { "state.json" }));
        Assert.That(error.Message, Does.StartWith($"could not write {path}: No space left on device"));
        Assert.That(DiskFull.Caused(error), Is.True, "the errno survives the wrapping");
    }

    [Test]
    public void A_full_disk_is_recognised_as_dotnet_reports_it()
    {
        Assume.That(File.Exists("/dev/full"), "/dev/full answers every write with ENOSPC");
        var full = Assert.Throws<IOException>(() => File.WriteAllText("/dev/full", "x"))!;

        Assert.That(DiskFull.Caused(full), Is.True, full.Message);
        Assert.That(DiskFull.Caused(new IOException("Permission denied", 13)), Is.False);
        Assert.That(DiskFull.Caused(new InvalidOperationException("no", full)), Is.True, "found as an inner exception");
    }
}

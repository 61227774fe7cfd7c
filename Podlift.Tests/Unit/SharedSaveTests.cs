using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

public class SharedSaveTests
{
    private static readonly byte[] Image = Enumerable.Range(0, 12 << 20).Select(i => (byte)(i * 31 % 251)).ToArray();

    /// <summary>Everything the stream gives; a reader held up for 20 s fails the test rather than hanging it.</summary>
    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy).WaitAsync(TimeSpan.FromSeconds(20));
            return copy.ToArray();
        }
    }

    [Test]
    public async Task Every_server_that_takes_it_reads_the_whole_save_and_the_save_is_opened_once()
    {
        var opened = 0;
        await using var save = new SharedSave(_ => { Interlocked.Increment(ref opened); return Task.FromResult<Stream>(new MemoryStream(Image)); }, ["a", "b", "c"]);

        var reads = await Task.WhenAll(new[] { "a", "b", "c" }.Select(async server => await ReadAllAsync(await save.TakeAsync(server))));

        Assert.That(opened, Is.EqualTo(1));
        foreach (var read in reads) Assert.That(read, Is.EqualTo(Image));
    }

    [Test]
    public async Task A_server_that_declines_or_stops_reading_holds_nobody_up()
    {
        await using var save = new SharedSave(_ => Task.FromResult<Stream>(new MemoryStream(Image)), ["a", "b", "c"]);
        save.Decline("b"); // say the image was already there

        var quitter = await save.TakeAsync("c");
        var oneMegabyte = new byte[1 << 20];
        await quitter.ReadExactlyAsync(oneMegabyte);
        await quitter.DisposeAsync(); // say its server failed after 1 MB

        Assert.That(await ReadAllAsync(await save.TakeAsync("a")), Is.EqualTo(Image), "the pipes hold 4 MB; without leaving, b and c would block a");
    }

    [Test]
    public async Task A_failing_save_fails_every_reader()
    {
        await using var save = new SharedSave(_ => Task.FromException<Stream>(new IOException("docker save failed")), ["a", "b"]);

        var a = await save.TakeAsync("a");
        var b = await save.TakeAsync("b");

        Assert.ThrowsAsync<IOException>(() => ReadAllAsync(a));
        Assert.ThrowsAsync<IOException>(() => ReadAllAsync(b));
    }

    [Test]
    public async Task A_share_is_taken_once()
    {
        await using var save = new SharedSave(_ => Task.FromResult<Stream>(new MemoryStream(Image)), ["a"]);
        await using var first = await save.TakeAsync("a");

        Assert.ThrowsAsync<InvalidOperationException>(() => save.TakeAsync("a"));
    }
}

using Podlift.Agent.Proxy;
using Podlift.Agent.State;

namespace Podlift.Tests.Unit;

public class UpstreamRegistryTests
{
    private TempDirectory _dir = null!;
    private StateStore _store = null!;
    private UpstreamRegistry _registry = null!;

    [SetUp]
    public void CreateRegistry()
    {
        _dir = new TempDirectory();
        _store = new StateStore(_dir.Path);
        _registry = new UpstreamRegistry(_store);
    }

    [TearDown]
    public void DeleteDirectory() => _dir.Dispose();

    private static UpstreamServer Local(int port, string version = "v1") => new("127.0.0.1", port, $"myapp-web-{version}-{port - 20000}");

    private static UpstreamServer On(string address, int port, string version = "v1") => new(address, port, $"myapp-web-{version}-{port - 20000}");

    [Test]
    public void The_first_replace_replaces_nothing()
    {
        Assert.That(_registry.Replace("myapp", UpstreamRegistry.Local, [Local(20001)]), Is.Empty);
        Assert.That(_registry.Backends("myapp"), Is.EqualTo(new[] { Local(20001) }));
    }

    [Test]
    public void Replace_returns_the_backends_it_replaced()
    {
        _registry.Replace("myapp", UpstreamRegistry.Local, [Local(20001, "v1"), Local(20002, "v1")]);

        var replaced = _registry.Replace("myapp", UpstreamRegistry.Local, [Local(20003, "v2"), Local(20004, "v2")]);

        Assert.That(replaced, Is.EqualTo(new[] { Local(20001, "v1"), Local(20002, "v1") }));
        Assert.That(_registry.Backends("myapp"), Is.EqualTo(new[] { Local(20003, "v2"), Local(20004, "v2") }));
    }

    [Test]
    public void Replacing_one_servers_backends_keeps_the_others()
    {
        _registry.Replace("myapp", "10.0.0.2", [On("10.0.0.2", 20001)]);
        _registry.Replace("myapp", UpstreamRegistry.Local, [Local(20001)]);

        var replaced = _registry.Replace("myapp", "10.0.0.2", [On("10.0.0.2", 20002, "v2")]);

        Assert.That(replaced, Is.EqualTo(new[] { On("10.0.0.2", 20001) }));
        Assert.That(_registry.Backends("myapp").Select(b => (b.Address, b.Port)), Is.EqualTo(new[] { ("127.0.0.1", 20001), ("10.0.0.2", 20002) }));
    }

    [Test]
    public void Backends_lists_this_servers_first_then_the_others_named_by_server()
    {
        _registry.Replace("myapp", "10.0.0.3", [On("10.0.0.3", 20001)]);
        _registry.Replace("myapp", "10.0.0.2", [On("10.0.0.2", 20001)]);
        _registry.Replace("myapp", UpstreamRegistry.Local, [Local(20002), Local(20001)]);

        Assert.That(_registry.Backends("myapp"), Is.EqualTo(new[]
        {
            new UpstreamServer("127.0.0.1", 20001, "myapp-web-v1-1"),
            new UpstreamServer("127.0.0.1", 20002, "myapp-web-v1-2"),
            new UpstreamServer("10.0.0.2", 20001, "myapp-web-v1-1 on 10.0.0.2"),
            new UpstreamServer("10.0.0.3", 20001, "myapp-web-v1-1 on 10.0.0.3"),
        }));
    }

    [Test]
    public void Replacing_with_nothing_removes_a_servers_backends()
    {
        _registry.Replace("myapp", "10.0.0.2", [On("10.0.0.2", 20001)]);
        _registry.Replace("myapp", UpstreamRegistry.Local, [Local(20001)]);

        _registry.Replace("myapp", "10.0.0.2", []);

        Assert.That(_registry.Backends("myapp"), Is.EqualTo(new[] { Local(20001) }));
    }

    [Test]
    public void Backends_are_kept_beside_the_state_and_survive_a_restart()
    {
        _registry.Replace("myapp", UpstreamRegistry.Local, [Local(20001)]);

        var restarted = new UpstreamRegistry(new StateStore(_dir.Path));

        Assert.That(restarted.Backends("myapp"), Is.EqualTo(new[] { Local(20001) }));
        Assert.That(File.Exists(Path.Combine(_store.AppDirectory("myapp"), "upstreams.json")), Is.True);
        Assert.That(Directory.GetFiles(_store.AppDirectory("myapp")).Select(Path.GetFileName), Is.EqualTo(new[] { "upstreams.json" }), "no temporary file left");
    }

    [Test]
    public void Apps_have_their_own_backends()
    {
        _registry.Replace("myapp", UpstreamRegistry.Local, [Local(20001)]);

        Assert.That(_registry.Backends("other"), Is.Empty);
    }

    [Test]
    public void A_corrupt_file_is_no_backends()
    {
        Directory.CreateDirectory(_store.AppDirectory("myapp"));
        File.WriteAllText(Path.Combine(_store.AppDirectory("myapp"), "upstreams.json"), "{ not json");

        Assert.That(_registry.Backends("myapp"), Is.Empty);
    }

    [Test]
    public async Task WithLockAsync_runs_a_second_body_only_after_the_first_finished()
    {
        var firstEntered = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        var order = new List<string>();
        var first = _registry.WithLockAsync("myapp", async () =>
        {
            order.Add("first started");
            firstEntered.SetResult();
            await releaseFirst.Task;
            order.Add("first finished");
            return 1;
        }, CancellationToken.None);
        await firstEntered.Task;

        var second = _registry.WithLockAsync("myapp", () =>
        {
            order.Add("second started");
            return Task.FromResult(2);
        }, CancellationToken.None);
        await Task.Delay(50);

        Assert.That(second.IsCompleted, Is.False);
        Assert.That(order, Is.EqualTo(new[] { "first started" }));
        releaseFirst.SetResult();
        Assert.That(await second, Is.EqualTo(2));
        Assert.That(await first, Is.EqualTo(1));
        Assert.That(order, Is.EqualTo(new[] { "first started", "first finished", "second started" }));
    }

    [Test]
    public async Task WithLockAsync_does_not_hold_up_another_app()
    {
        var releaseFirst = new TaskCompletionSource();
        var first = _registry.WithLockAsync("myapp", async () => { await releaseFirst.Task; return 1; }, CancellationToken.None);

        var other = await _registry.WithLockAsync("other", () => Task.FromResult(2), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(other, Is.EqualTo(2));
        Assert.That(first.IsCompleted, Is.False);
        releaseFirst.SetResult();
        await first;
    }

    [Test]
    public async Task WithLockAsync_releases_the_lock_when_the_body_throws()
    {
        Assert.That(async () => await _registry.WithLockAsync<int>("myapp", () => throw new InvalidOperationException("boom"), CancellationToken.None),
            Throws.InvalidOperationException);

        var next = await _registry.WithLockAsync("myapp", () => Task.FromResult(3), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(next, Is.EqualTo(3));
    }
}

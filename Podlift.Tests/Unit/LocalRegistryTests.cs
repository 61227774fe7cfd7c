using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using Podlift.Cli.Delivery;

namespace Podlift.Tests.Unit;

/// <summary>The receiver over real HTTP on 127.0.0.1, the way Docker's pusher talks to it: chunked PATCH bodies, HEAD lengths, a TLS probe first.</summary>
public class LocalRegistryTests
{
    private static async Task<(LocalRegistry Registry, BlobStore Store, HttpClient Http)> StartAsync(int preferredPort = 0)
    {
        var store = new BlobStore();
        var receiver = new PushReceiver(PushSample.Repository, PushSample.ConfigDigest, store, (_, _) => Task.FromResult(true));
        var registry = LocalRegistry.Start(receiver, preferredPort == 0 ? FreePort() : preferredPort);
        var http = new HttpClient { BaseAddress = new Uri($"http://{registry.Address}") };
        await Task.Yield();
        return (registry, store, http);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Content without a length: HttpClient sends it chunked, as Docker's pusher does.</summary>
    private sealed class ChunkedContent(byte[] data) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < data.Length; offset += 1000) await stream.WriteAsync(data.AsMemory(offset, Math.Min(1000, data.Length - offset)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Test]
    public async Task A_chunked_upload_is_received_and_the_blob_then_answers_HEAD_with_its_length()
    {
        var (registry, store, http) = await StartAsync();
        await using var _ = registry;
        using var __ = store;
        var data = Enumerable.Range(0, 50_000).Select(i => (byte)(i % 253)).ToArray();
        var digest = PushSample.Digest(data);

        var started = await http.PostAsync($"/v2/{PushSample.Repository}/blobs/uploads/", null);
        var location = started.Headers.Location!.ToString();
        var patched = await http.PatchAsync(location, new ChunkedContent(data));
        var put = await http.PutAsync($"{location}?digest={Uri.EscapeDataString(digest)}", null);
        var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{PushSample.Repository}/blobs/{digest}"));

        Assert.That((started.StatusCode, patched.StatusCode, put.StatusCode), Is.EqualTo((HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Created)));
        Assert.That(store.Find(digest)?.Size, Is.EqualTo(data.Length));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(data.Length));
        Assert.That(head.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest));
    }

    [Test]
    public async Task After_a_TLS_probe_it_still_answers_plain_HTTP()
    {
        var (registry, store, http) = await StartAsync();
        await using var _ = registry;
        using var __ = store;
        using (var tls = new TcpClient())
        {
            await tls.ConnectAsync(IPAddress.Loopback, new Uri($"http://{registry.Address}").Port);
            // a ClientHello's start, and its supported_groups extension (type 0x000a: a line feed, which every ClientHello has)
            await tls.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x00, 0x0a, 0x00, 0x08 });
            var answer = new byte[64];
            await tls.GetStream().ReadAsync(answer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)); // an error, or closed: anything but a hang
        }

        var version = await http.GetAsync("/v2/");

        Assert.That(version.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_taken_port_is_given_up_for_a_free_one()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (registry, store, http) = await StartAsync(port);
        await using var _ = registry;
        using var __ = store;

        Assert.That(registry.Address, Does.StartWith("127.0.0.1:").And.Not.EndWith($":{port}"));
        Assert.That((await http.GetAsync("/v2/")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}

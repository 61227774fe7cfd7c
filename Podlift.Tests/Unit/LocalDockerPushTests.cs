using System.Net.Sockets;
using NUnit.Framework;
using Podlift.Cli.Local;

namespace Podlift.Tests.Unit;

/// <summary>A push ends when it is cancelled, whatever Docker does: against an engine that takes the request and never answers.</summary>
public class LocalDockerPushTests
{
    [Test]
    public async Task Push_DockerHasNotAnswered_EndsWhenCancelled()
    {
        var directory = Directory.CreateTempSubdirectory("podlift-docker-");
        var socketPath = Path.Combine(directory.FullName, "docker.sock");
        using var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        engine.Bind(new UnixDomainSocketEndPoint(socketPath));
        engine.Listen();
        var taken = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            while (true) taken.Add(await engine.AcceptAsync()); // reads nothing, answers nothing: a push Docker has not answered yet
        });
        try
        {
            using var docker = new LocalDocker($"unix://{socketPath}");
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

            var push = docker.PushAsync("127.0.0.1:28500/podlift/shop:abc1234", null, (_, _, _) => { }, cancel.Token);

            Assert.That(await Task.WhenAny(push, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(push), "the push ended once cancelled");
            Assert.That(async () => await push, Throws.InstanceOf<OperationCanceledException>());
        }
        finally
        {
            engine.Close();
            foreach (var socket in taken) socket.Dispose();
            directory.Delete(recursive: true);
        }
    }
}

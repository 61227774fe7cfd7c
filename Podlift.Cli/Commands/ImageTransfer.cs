using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>Sends an image from the local Docker to one agent as a `docker save` stream, unless the server has it.</summary>
public sealed class ImageTransfer(LocalDocker docker, ConsoleOutput output)
{
    private const int ChunkSize = 1 << 20;

    public sealed record Sent(long Bytes, TimeSpan Transfer, TimeSpan Load);

    public async Task<bool> IsOnServerAsync(ServerSession session, string image, CancellationToken cancellationToken) =>
        (await Call(session.Server.Host, () => session.Agent.Client.ImageStatusAsync(new ImageStatusRequest { Image = image }, cancellationToken: cancellationToken).ResponseAsync)).Present;

    public async Task<Sent> SendAsync(ServerSession session, string image, CancellationToken cancellationToken)
    {
        var host = session.Server.Host;
        var clock = Stopwatch.StartNew();
        using var call = session.Agent.Client.PushImage(cancellationToken: cancellationToken);
        long sent = 0;
        await Call(host, async () =>
        {
            await call.RequestStream.WriteAsync(new ImageChunk { Header = new PushHeader { Image = image } }, cancellationToken);
            await using var save = await docker.SaveAsync(image, cancellationToken);
            var buffer = new byte[ChunkSize];
            int read;
            while ((read = await save.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)) > 0)
            {
                await call.RequestStream.WriteAsync(new ImageChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken);
                sent += read;
            }
            await call.RequestStream.CompleteAsync();
            return true;
        });
        var transfer = clock.Elapsed;
        var reply = await Call(host, () => call.ResponseAsync);
        output.Detail($"{image}: {Format.Bytes(sent)} in {Format.Duration(transfer)}, loaded in {reply.LoadMilliseconds} ms");
        return new Sent(sent, transfer, TimeSpan.FromMilliseconds(reply.LoadMilliseconds));
    }

    private static async Task<T> Call<T>(string host, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable)
        {
            throw new ConnectionException($"{host}: the connection to the agent was lost during the image transfer", "check the network, then deploy again");
        }
        catch (RpcException e)
        {
            throw new DeploymentException($"{host}: the image transfer failed: {e.Status.Detail}", "check free disk space on the server, then deploy again");
        }
    }
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Local;
using Podlift.Cli.Output;
using Podlift.Cli.Delivery;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Delivery;

/// <summary>
/// Registry mode (`registry:` in podlift.yml): the image is pushed once, then each server's agent pulls it.
/// The login reaches the local Docker and each agent inside API requests: never on a command line, never
/// written to disk, never printed.
/// </summary>
public sealed class RegistryTransfer(LocalDocker docker, RegistryConfig registry)
{
    private RegistryCredentials? Login => registry.Username is { } username ? new RegistryCredentials(registry.Server, username, registry.Password!) : null;

    public string Server => registry.Server;

    /// <summary>Before anything is built: a refused login fails the deploy now, with nothing changed.</summary>
    public async Task CheckLoginAsync(CancellationToken cancellationToken)
    {
        if (Login is not { } login) return;
        try
        {
            await docker.CheckLoginAsync(login, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw Failure(null, e.Message);
        }
    }

    public async Task<(string Reference, PushResult Result)> PushAsync(string image, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var reference = RegistryImage.Reference(registry.Server, image);
        if (reference != image) await docker.TagAsync(image, reference, cancellationToken);
        var tally = new PushTally();
        try
        {
            await using (new TransferProgress(output, registry.Server, () => { lock (tally) return tally.BytesPushed; }, "pushed"))
                await docker.PushAsync(reference, Login, (id, status, current) => { lock (tally) tally.Observe(id, status, current); }, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw Failure(null, e.Message);
        }
        return (reference, tally.Result());
    }

    /// <summary>The server's Docker pulls the image and the agent tags it as the deploy names it. The last progress has its id.</summary>
    /// <param name="pushedAs">The local image pushed for this server (myapp:abc1234-arm64 when a fleet has several platforms); null: <paramref name="image"/>.</param>
    public async Task<PullProgress> PullAsync(ServerSession session, string image, ConsoleOutput output, CancellationToken cancellationToken, string? pushedAs = null)
    {
        var host = session.Server.Host;
        var request = new PullImageRequest { Reference = RegistryImage.Reference(registry.Server, pushedAs ?? image), Image = image };
        if (Login is { } login) request.Login = login.ToMessage();
        var last = new PullProgress();
        try
        {
            await using (new TransferProgress(output, host, () => last.BytesDownloaded, "downloaded"))
                await foreach (var progress in session.Agent.PullImage(request, cancellationToken)) last = progress;
        }
        catch (AgentCallException e) when (e.Reason == AgentErrorReason.RegistryFailed)
        {
            throw Failure(host, e.Detail);
        }
        if (last.Id.Length == 0) throw new DeploymentException($"{host}: the pull of {request.Reference} ended without an image", "deploy again; `podlift logs` and the agent's journal say more");
        return last;
    }

    /// <summary>A registry error, named with the fix that fits it. `server` is whose Docker talked to the registry; null: this machine's.</summary>
    private PodliftException Failure(string? server, string message)
    {
        var (registryServer, where, prefix) = (registry.Server, server ?? "this machine", server is null ? "" : $"{server}: ");
        return RegistryErrors.Classify(message) switch
        {
            RegistryProblem.Unauthorized when registry.Username is null => new ValidationException(
                $"{prefix}the registry {registryServer} asks for a login: {message}", "add username: and password: under registry: in podlift.yml"),
            RegistryProblem.Unauthorized => new ValidationException(
                $"{prefix}the registry {registryServer} refused the login of {registry.Username}: {message}",
                "check registry.username and registry.password in podlift.yml (and the .env variable the password names)"),
            RegistryProblem.Certificate => new ValidationException(
                $"{prefix}Docker does not trust the TLS certificate of the registry {registryServer}: {message}",
                $"put the registry's CA certificate in /etc/docker/certs.d/{registryServer}/ca.crt on {where} (Docker reads it at once, no restart)"),
            RegistryProblem.Unreachable => new ConnectionException(
                $"{prefix}cannot reach the registry {registryServer}: {message}", $"check that {registryServer} is up and reachable from {where}"),
            RegistryProblem.NotFound => new DeploymentException(
                $"{prefix}the registry {registryServer} does not have the image: {message}", "deploy again without --skip-build, so podlift pushes it"),
            _ => new DeploymentException($"{prefix}the registry {registryServer} failed: {message}", $"check the registry {registryServer}, then deploy again"),
        };
    }
}

using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;
using Podlift.Cli.Planning;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift ssl setup|renew|status`: a certificate for `domain` on the primary (certbot with the ACME
/// HTTP-01 challenge answered from nginx's webroot, or your own files), HTTPS with an HTTP redirect,
/// and renewal by certbot's systemd timer. With --dry-run, setup and renew connect, check what they would
/// need, print what they would do on the primary and the certificate there now, and change nothing.
/// </summary>
public sealed class SslCommand(ConsoleOutput output, SshSettings ssh, bool dryRun = false)
{
    public async Task SetupAsync(PodliftConfig config, string? email, CancellationToken cancellationToken)
    {
        var tls = DeployPlanner.TlsFor(config) ?? throw new ConfigurationException("proxy.ssl is not set in podlift.yml",
            "set `proxy: { ssl: letsencrypt }` (or manual, with your certificate files) and `domain:`");
        await using var session = await ServerSession.ConnectAsync(config.Primary, ssh, cancellationToken);
        await session.HelloAsync(cancellationToken);
        CapabilityCheck.Require("podlift ssl setup", [session.Needs(CapabilityNeeds.ForSsl(DeployPlanner.ProxyFor(config, config.Primary)))], output);
        var host = config.Primary.Host;
        if (dryRun) output.Line($"Dry run: what `podlift ssl setup` would do on {session.Target.Label}; nothing is installed, requested or changed.");

        if (config.Proxy.Ssl == SslMode.LetsEncrypt)
        {
            var address = email ?? config.Proxy.Email ?? throw new ConfigurationException("Let's Encrypt needs an email address for expiry notices",
                "pass --email you@example.com or set proxy.ssl_email");
            output.Step(1, 3, "Installing certbot");
            if (dryRun) output.Line("  would install certbot unless it is there, and enable certbot.timer (renewals)");
            else
            {
                var installed = SetupScripts.Parse((await Must(session.Ssh, SslScripts.InstallCertbot, "installing certbot", cancellationToken)).StandardOutput);
                output.Ok($"{installed.Detail}{(installed.Changed ? " (installed)" : " (already installed)")}");
            }
            var names = string.Join(", ", config.Domains);
            output.Step(2, 3, $"Requesting a certificate for {names}");
            if (dryRun) output.Line($"  would run certbot certonly --webroot for {names} at {config.Proxy.AcmeServer}, account {address} (a certificate already there is kept until due)");
            else
            {
                var obtained = await Must(session.Ssh, SslScripts.Obtain(config.Domains, address, config.Proxy.AcmeServer), "certbot", cancellationToken);
                output.Detail(obtained.StandardOutput.Trim());
                output.Ok($"certificate for {names} from {config.Proxy.AcmeServer}");
            }
        }
        else
        {
            output.Step(1, 3, "Checking your certificate files");
            output.Ok($"{Path.GetFileName(config.Proxy.CertificateFile)} and {Path.GetFileName(config.Proxy.KeyFile)}");
            output.Step(2, 3, $"Uploading them to {host}");
            if (dryRun) output.Line($"  would upload {Path.GetFileName(config.Proxy.CertificateFile)} to {tls.CertificatePath} and {Path.GetFileName(config.Proxy.KeyFile)} to {tls.KeyPath} (0600)");
            else
            {
                await UploadAsync(session.Ssh, config.Proxy.CertificateFile!, tls.CertificatePath, "0644", cancellationToken);
                await UploadAsync(session.Ssh, config.Proxy.KeyFile!, tls.KeyPath, "0600", cancellationToken);
                output.Ok($"{tls.CertificatePath}, {tls.KeyPath} (0600)");
            }
        }

        output.Step(3, 3, "Serving HTTPS");
        if (dryRun)
        {
            await PreviewServingAsync(config, session, cancellationToken);
            await PrintStatusAsync(config, session.Ssh, tls.CertificatePath, cancellationToken);
            return;
        }
        var applied = await session.Agent.ApplyProxyAsync(new ApplyProxyRequest { App = config.App, Proxy = DeployPlanner.ProxyFor(config, config.Primary) },
            cancellationToken);
        if (!applied.TlsActive) throw new DeploymentException($"{host}: nginx still serves HTTP only: {applied.Detail}");
        output.Ok(applied.Detail);
        await PrintStatusAsync(config, session.Ssh, tls.CertificatePath, cancellationToken);
    }

    /// <summary>The agent serves HTTPS only for an app deployed there; the real run would stop at this step otherwise.</summary>
    private async Task PreviewServingAsync(PodliftConfig config, ServerSession session, CancellationToken cancellationToken)
    {
        if (await session.AppStateAsync(config.App, cancellationToken) is null)
            output.Warn($"{config.App} is not deployed on {session.Server.Host}: the real run would stop here; run `podlift deploy` first");
        else
            output.Line($"  would have nginx serve HTTPS for {config.Domain} with that certificate, HTTP redirecting to it");
    }

    public async Task RenewAsync(PodliftConfig config, bool force, CancellationToken cancellationToken)
    {
        RequireLetsEncrypt(config);
        await using var connection = await SshConnection.OpenAsync(config.Primary, ssh, cancellationToken);
        if (dryRun)
        {
            output.Line($"Dry run: what `podlift ssl renew` would do on {connection.Target.Label}; nothing is renewed or changed.");
            var now = await PrintStatusAsync(config, connection, DeployPlanner.TlsFor(config)!.CertificatePath, cancellationToken);
            output.Line(RenewalPreview(now, force, DateTimeOffset.UtcNow));
            return;
        }
        var renewed = await Must(connection, SslScripts.Renew(force), "certbot renew", cancellationToken);
        foreach (var line in renewed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(6)) output.Line($"  {line}");
        await PrintStatusAsync(config, connection, DeployPlanner.TlsFor(config)!.CertificatePath, cancellationToken);
    }

    public async Task StatusAsync(PodliftConfig config, CancellationToken cancellationToken)
    {
        var tls = DeployPlanner.TlsFor(config) ?? throw new ConfigurationException("proxy.ssl is not set in podlift.yml", "set proxy.ssl and domain");
        await using var connection = await SshConnection.OpenAsync(config.Primary, ssh, cancellationToken);
        await PrintStatusAsync(config, connection, tls.CertificatePath, cancellationToken);
    }

    /// <summary>What `certbot renew` would do with the certificate as it is now. Pure.</summary>
    public static string RenewalPreview(SslScripts.CertificateStatus status, bool force, DateTimeOffset now) => status.DaysLeft(now) switch
    {
        null => "would run certbot renew, which has no certificate for this domain to renew yet",
        var days when force => $"would run certbot renew --force-renewal: a new certificate now ({days} days left on this one)",
        var days when days <= SslScripts.RenewsWithinDays => $"would run certbot renew: the certificate is due ({days} days left; certbot renews within {SslScripts.RenewsWithinDays})",
        var days => $"would run certbot renew, which would keep the certificate: {days} days left, certbot renews within {SslScripts.RenewsWithinDays} (--force renews now)",
    };

    private async Task<SslScripts.CertificateStatus> PrintStatusAsync(PodliftConfig config, SshConnection connection, string certificatePath, CancellationToken cancellationToken)
    {
        var status = SslScripts.ParseInspect((await connection.RunScriptAsync(SslScripts.Inspect(certificatePath), sudo: true, cancellationToken)).StandardOutput);
        output.Line($"Domain:   {config.Domain}");
        if (status.Expires is null)
        {
            output.Line($"Certificate: none at {certificatePath} on {config.Primary.Host}: run `podlift ssl setup`");
            return status;
        }
        output.Line($"Issuer:   {status.Issuer}");
        output.Line($"Expires:  {status.Expires:yyyy-MM-dd HH:mm} UTC ({status.DaysLeft(DateTimeOffset.UtcNow)} days left)");
        output.Line(config.Proxy.Ssl == SslMode.LetsEncrypt
            ? $"Renewal:  certbot.timer {status.RenewalTimer}"
            : "Renewal:  yours (proxy.ssl: manual); run `podlift ssl setup` again with new files");
        return status;
    }

    private static void RequireLetsEncrypt(PodliftConfig config)
    {
        if (config.Proxy.Ssl != SslMode.LetsEncrypt)
            throw new ConfigurationException("`ssl renew` renews Let's Encrypt certificates, and proxy.ssl is not letsencrypt",
                "with proxy.ssl: manual, run `podlift ssl setup` with your new files");
    }

    private static async Task<Local.ProcessOutput> Must(SshConnection connection, string script, string what, CancellationToken cancellationToken)
    {
        var result = await connection.RunScriptAsync(script, sudo: true, cancellationToken);
        if (result.Succeeded) return result;
        var tail = string.Join('\n', (result.StandardOutput + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12).Select(l => "  " + l));
        throw new DeploymentException($"{connection.Server.Host}: {what} failed (exit {result.ExitCode}):\n{tail}",
            "check that the domain resolves to the primary and that port 80 is open to the ACME server");
    }

    /// <summary>Sends a local file through SSH's stdin (never on a command line) and installs it with the given mode.</summary>
    private static async Task UploadAsync(SshConnection connection, string localPath, string remotePath, string mode, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(localPath);
        var directory = Path.GetDirectoryName(remotePath)!;
        var result = await connection.RunAsync($"sh -c 'umask 077; mkdir -p {directory} && cat > {remotePath}.new && chmod {mode} {remotePath}.new && mv {remotePath}.new {remotePath}'",
            file, sudo: true, cancellationToken: cancellationToken);
        if (!result.Succeeded) throw new DeploymentException($"{connection.Server.Host}: uploading {Path.GetFileName(localPath)} failed: {result.StandardError.Trim()}");
    }
}

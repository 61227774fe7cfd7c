using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// From a bare server (sshd and systemd, no Docker, no nginx) to HTTPS with podlift alone: `setup`,
/// `deploy`, then `ssl setup` against Debian's pebble (Let's Encrypt's test ACME server) running on a
/// second server that resolves the app's domain to the first.
/// </summary>
[TestFixture("bookworm", "e2ess", "10.133.0", 19080)]
[Category("e2e")]
[NonParallelizable]
public sealed class SetupAndSslTests(string suite, string prefix, string subnet, int httpPortBase)
    : ServerFixture(suite, prefix, subnet, httpPortBase)
{
    private const string Domain = "app.podlift.test";

    [OneTimeSetUp]
    public async Task SetUpFixtureAsync()
    {
        await StartAsync(2, "secure", "bare");
        WriteConfig("root");
        await _app.CommitVersionAsync("v1");
    }


    private void WriteConfig(string user, string file = "podlift.yml") => File.WriteAllText(Path.Combine(_app.Directory, file), $"""
        service: secure
        image: secure
        domain: {Domain}
        servers:
          - host: {_servers.Ip(1)}
            user: {user}
        services:
          web:
            healthcheck: {"{"} path: /health, timeout: 15s, interval: 1s {"}"}
        proxy:
          ssl: letsencrypt
          ssl_email: ops@podlift.test
          acme_server: https://pebble:14000/dir
        drain: 5s
        """);

    [Test, Order(1)]
    public async Task Setup_OnABareServer_ThenDeploy_ServesTheApp()
    {
        Assert.That((await _servers.SshAsync(1, "command -v docker nginx")).ExitCode, Is.Not.EqualTo(0), "the server starts bare");

        var dryRun = await _podlift.RunAsync("setup", "--dry-run");
        Assert.That(dryRun.ExitCode, Is.EqualTo(0), dryRun.All);
        Assert.That(dryRun.Output, Does.Contain("would run the Docker step").And.Contain("would run the hardening step").And.Contain("22/tcp (SSH)"));
        Assert.That((await _servers.SshAsync(1, "command -v docker || command -v nginx || test -e /etc/ssh/sshd_config.d/50-podlift.conf")).ExitCode,
            Is.Not.EqualTo(0), "a dry run installs and configures nothing");

        var setup = await _podlift.RunAsync("setup");

        Assert.That(setup.ExitCode, Is.EqualTo(0), setup.All);
        foreach (var step in new[] { "[1/4] Installing Docker", "[2/4] Installing nginx", "[3/4] Configuring firewall and security", "[4/4] Installing podlift-agent" })
            Assert.That(setup.Output, Does.Contain(step));
        Assert.That(await _servers.MustSshAsync(1, "systemctl is-active docker nginx podlift-agent fail2ban"), Does.Not.Contain("inactive"));
        var firewall = await _servers.MustSshAsync(1, "ufw status");
        Assert.That(firewall, Does.Contain("Status: active").And.Contain("22/tcp").And.Contain("80/tcp").And.Contain("443/tcp"));
        Assert.That(await _servers.MustSshAsync(1, "sshd -T | grep -i '^passwordauthentication'"), Does.Contain("no"));

        var deploy = await _podlift.RunAsync("deploy");
        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(await HttpGetAsync("/version"), Is.EqualTo((System.Net.HttpStatusCode.OK, "v1")));
    }

    [Test, Order(2)]
    public async Task SecondSetup_AsASudoUser_ChangesNothingAndSaysSo()
    {
        await _servers.MustSshAsync(1, "id deploy >/dev/null 2>&1 || useradd -m -s /bin/sh deploy; " +
                                       "echo 'deploy ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/deploy; " +
                                       "install -d -o deploy -m 700 /home/deploy/.ssh; install -o deploy -m 600 /root/.ssh/authorized_keys /home/deploy/.ssh/");
        WriteConfig("deploy", "podlift.sudo.yml");

        var again = await _podlift.RunAsync("setup", "--config", "podlift.sudo.yml");

        Assert.That(again.ExitCode, Is.EqualTo(0), again.All);
        Assert.That(again.Output, Does.Contain("already set up").Or.Contain("added to the podlift group"));
        Assert.That(again.Output.Split('\n').Count(l => l.Contains("(already installed)")), Is.EqualTo(4), "Docker, nginx, firewall and hardening unchanged");
        var third = await _podlift.RunAsync("setup", "--config", "podlift.sudo.yml");
        Assert.That(third.Output, Does.Contain($"{_servers.Ip(1)} was already set up: no change"), third.All);
        File.Delete(Path.Combine(_app.Directory, "podlift.sudo.yml"));
    }

    [Test, Order(3)]
    public async Task SslSetup_AgainstPebble_ServesHttps_AndRedirectsHttp()
    {
        var root = await StartPebbleAsync();

        var ssl = await _podlift.RunAsync("ssl", "setup");

        Assert.That(ssl.ExitCode, Is.EqualTo(0), ssl.All);
        Assert.That(ssl.Output, Does.Contain("HTTPS with /etc/letsencrypt/live/app.podlift.test/fullchain.pem"));
        Assert.That(ssl.Output, Does.Match(@"Expires:\s+\d{4}-\d\d-\d\d .*\(\d+ days left\)"));
        Assert.That(await HttpsGetAsync(root, "/version"), Is.EqualTo("v1"), "HTTPS answers, with a certificate that chains to pebble's root");
        var redirect = await HttpGetAsync("/version");
        Assert.That(redirect.Status, Is.EqualTo(System.Net.HttpStatusCode.MovedPermanently));
        using (var http2 = new HttpClient(LoadGenerator.TlsHandler(_servers.Https(1), root)) { DefaultRequestVersion = System.Net.HttpVersion.Version20,
                   DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact })
        {
            using var response = await http2.GetAsync($"https://{Domain}:{_servers.Https(1).Port}/version");
            Assert.That(response.Version, Is.EqualTo(System.Net.HttpVersion.Version20), "the TLS listener speaks HTTP/2");
        }

        var status = await _podlift.RunAsync("ssl", "status");
        Assert.That(status.ExitCode, Is.EqualTo(0), status.All);
        Assert.That(status.Output, Does.Contain("Issuer:").And.Contain("days left").And.Contain("certbot.timer active"));
    }

    [Test, Order(4)]
    public async Task DeployAfterSsl_KeepsHttps_WithNoFailedRequest()
    {
        var root = await PebbleRootAsync();
        await _app.CommitVersionAsync("v2");
        await using var load = LoadGenerator.StartTls(_servers.Https(1), Domain, root, "/version");
        await Task.Delay(500);
        var deploy = await _podlift.RunAsync("deploy");
        await Task.Delay(500);
        var report = await load.StopAsync();

        Assert.That(deploy.ExitCode, Is.EqualTo(0), deploy.All);
        Assert.That(report.Failed, Is.EqualTo(0), report.ToString());
        Assert.That(report.RequestsPerSecond, Is.GreaterThanOrEqualTo(50), report.ToString());
        Assert.That(await HttpsGetAsync(root, "/version"), Is.EqualTo("v2"));
    }

    [Test, Order(5)]
    public async Task ManualSsl_ServesTheCertificateAndKeyYouProvide()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new CertificateRequest($"CN={Domain}", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(Domain);
        request.CertificateExtensions.Add(names.Build());
        using var own = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(_app.Directory, "own-cert.pem"), own.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_app.Directory, "own-key.pem"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(_app.Directory, "podlift.manual.yml"), File.ReadAllText(Path.Combine(_app.Directory, "podlift.yml"))
            .Replace("ssl: letsencrypt", "ssl: manual\n  ssl_certificate: own-cert.pem\n  ssl_certificate_key: own-key.pem"));

        var ssl = await _podlift.RunAsync("ssl", "setup", "--config", "podlift.manual.yml");

        Assert.That(ssl.ExitCode, Is.EqualTo(0), ssl.All);
        Assert.That(ssl.Output, Does.Contain("/etc/podlift/tls/secure/privkey.pem (0600)"));
        Assert.That((await _servers.MustSshAsync(1, "stat -c %a /etc/podlift/tls/secure/privkey.pem")).Trim(), Is.EqualTo("600"));
        using var trusted = X509Certificate2.CreateFromPem(own.ExportCertificatePem());
        Assert.That(await HttpsGetAsync(trusted, "/version"), Is.EqualTo("v2"), "HTTPS with the certificate you provided");
        Assert.That(ssl.All, Does.Not.Contain("PRIVATE KEY"), "the key is never printed");
    }

    [Test, Order(6)]
    public async Task Setup_OnAnUnsupportedOs_IsRefusedNamingWhatIsSupported()
    {
        await _servers.MustSshAsync(1, "cp /etc/os-release /root/os-release.saved && printf 'ID=fedora\\nVERSION_ID=39\\nPRETTY_NAME=\"Fedora Linux 39\"\\n' > /etc/os-release");
        try
        {
            var setup = await _podlift.RunAsync("setup");
            Assert.That(setup.ExitCode, Is.EqualTo(3), setup.All);
            Assert.That(setup.Error, Does.Contain("Fedora Linux 39").And.Contain("Debian 11, 12, 13 and Ubuntu"));
        }
        finally
        {
            await _servers.MustSshAsync(1, "mv /root/os-release.saved /etc/os-release");
        }
    }

    /// <summary>pebble on server 2, its API on a certificate for "pebble" that server 1 trusts; it resolves the domain to server 1.</summary>
    private async Task<X509Certificate2> StartPebbleAsync()
    {
        await _servers.MustSshAsync(2, $$$"""
            set -e
            export DEBIAN_FRONTEND=noninteractive
            command -v pebble >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq pebble openssl >/dev/null; }
            mkdir -p /etc/pebble && cd /etc/pebble
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=podlift-test-ca -keyout ca.key -out ca.pem 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -subj /CN=pebble -keyout key.pem -out req.csr 2>/dev/null
            printf 'subjectAltName=DNS:pebble,DNS:localhost' > san.ext
            openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out cert.pem 2>/dev/null
            printf '{"pebble":{"listenAddress":"0.0.0.0:14000","managementListenAddress":"0.0.0.0:15000","certificate":"/etc/pebble/cert.pem","privateKey":"/etc/pebble/key.pem","httpPort":80,"tlsPort":443,"ocspResponderURL":"","externalAccountBindingRequired":false}}' > config.json
            grep -q '{{{Domain}}}' /etc/hosts || echo '{{{_servers.Ip(1)}}} {{{Domain}}}' >> /etc/hosts
            systemctl stop pebble 2>/dev/null || true
            systemd-run --unit pebble -E PEBBLE_VA_NOSLEEP=1 -E PEBBLE_WFE_NONCEREJECT=0 /usr/bin/pebble -config /etc/pebble/config.json
            for i in $(seq 1 50); do curl -fsk https://localhost:14000/dir >/dev/null 2>&1 && break; sleep 0.2; done
            """);
        var ca = await _servers.MustSshAsync(2, "cat /etc/pebble/ca.pem");
        await _servers.MustSshAsync(1, $"cat > /usr/local/share/ca-certificates/podlift-test-ca.crt <<'EOF'\n{ca}EOF\n" +
                                       $"update-ca-certificates >/dev/null 2>&1; grep -q ' pebble$' /etc/hosts || echo '{_servers.Ip(2)} pebble' >> /etc/hosts");
        return await PebbleRootAsync();
    }

    /// <summary>pebble makes a new root at every start; certificates it issues chain to it.</summary>
    private async Task<X509Certificate2> PebbleRootAsync() =>
        X509Certificate2.CreateFromPem(await _servers.MustSshAsync(2, "curl -fsk https://localhost:15000/roots/0"));

    private async Task<(System.Net.HttpStatusCode Status, string Body)> HttpGetAsync(string path)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_servers.Http(1), path));
        request.Headers.Host = Domain;
        using var response = await http.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    private async Task<string> HttpsGetAsync(X509Certificate2 root, string path)
    {
        using var http = new HttpClient(LoadGenerator.TlsHandler(_servers.Https(1), root));
        return (await http.GetStringAsync($"https://{Domain}:{_servers.Https(1).Port}{path}")).Trim();
    }
}

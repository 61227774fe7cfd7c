using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Podlift.Testing;

/// <summary>
/// Debian's docker-registry, run by a test on the test servers' network gateway, where the host's Docker and
/// every server's Docker reach it. TLS from a throwaway CA, a bcrypt htpasswd login. Docker trusts the CA
/// through /etc/docker/certs.d/&lt;host:port&gt;/ca.crt, which it reads on each request: no daemon restart.
/// </summary>
public sealed class TestRegistry : IAsyncDisposable
{
    public const string Username = "podlift";

    private readonly string _directory;
    private readonly Process _process;
    private readonly X509Certificate2 _ca;

    private TestRegistry(string server, string directory, Process process, X509Certificate2 ca, string password)
    {
        Server = server;
        _directory = directory;
        _process = process;
        _ca = ca;
        Password = password;
    }

    /// <summary>host:port, as podlift.yml names it.</summary>
    public string Server { get; }

    /// <summary>Random per run, so a search for it in logs and process lists can only find this run's leaks.</summary>
    public string Password { get; }

    public string CaPem => _ca.ExportCertificatePem();

    private string HostTrustDirectory => Path.Combine("/etc/docker/certs.d", Server);

    public static async Task<TestRegistry> StartAsync(string address, int port)
    {
        var directory = Directory.CreateTempSubdirectory("podlift-registry-").FullName;
        var server = $"{address}:{port}";
        var password = $"reg-{Guid.NewGuid():N}";
        var (ca, certificatePem, keyPem) = Certificates(address);
        File.WriteAllText(Path.Combine(directory, "server.crt"), certificatePem);
        File.WriteAllText(Path.Combine(directory, "server.key"), keyPem);

        // -i: the password comes on stdin, not on htpasswd's command line
        var htpasswd = await Shell.RunAsync("htpasswd", ["-iBn", Username], input: password);
        if (htpasswd.ExitCode != 0) throw new InvalidOperationException($"htpasswd failed (apache2-utils installed?):\n{htpasswd.All}");
        File.WriteAllText(Path.Combine(directory, "htpasswd"), htpasswd.Output.Trim() + "\n");
        File.WriteAllText(Path.Combine(directory, "config.yml"), $"""
            version: 0.1
            log: {"{"} level: warn {"}"}
            storage:
              filesystem: {"{"} rootdirectory: {directory}/data {"}"}
            http:
              addr: {server}
              secret: {Guid.NewGuid():N}
              tls: {"{"} certificate: {directory}/server.crt, key: {directory}/server.key {"}"}
            auth:
              htpasswd: {"{"} realm: podlift-test, path: {directory}/htpasswd {"}"}
            """);

        var start = new ProcessStartInfo("sh", ["-c", $"exec docker-registry serve '{directory}/config.yml' >'{directory}/registry.log' 2>&1"])
        {
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start (docker-registry installed?)");
        var registry = new TestRegistry(server, directory, process, ca, password);
        try
        {
            await registry.WaitUntilAnsweringAsync();
            Directory.CreateDirectory(registry.HostTrustDirectory);
            File.WriteAllText(Path.Combine(registry.HostTrustDirectory, "ca.crt"), registry.CaPem);
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
        return registry;
    }

    /// <summary>Lets a test server's Docker trust the registry.</summary>
    public Task TrustOnAsync(TestServers servers, int server) =>
        servers.MustSshAsync(server, $"mkdir -p /etc/docker/certs.d/{Server} && printf '%s' '{CaPem}' > /etc/docker/certs.d/{Server}/ca.crt");

    /// <summary>The tags of a repository, as the registry lists them (empty when it has none).</summary>
    public async Task<IReadOnlyList<string>> TagsAsync(string repository)
    {
        using var client = Client();
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}")));
        using var response = await client.GetAsync($"https://{Server}/v2/{repository}/tags/list");
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("tags") is { ValueKind: JsonValueKind.Array } tags ? tags.EnumerateArray().Select(t => t.GetString()!).ToList() : [];
    }

    public string Log => File.Exists(Path.Combine(_directory, "registry.log")) ? File.ReadAllText(Path.Combine(_directory, "registry.log")) : "";

    private async Task WaitUntilAnsweringAsync()
    {
        using var client = Client();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited ({_process.ExitCode}):\n{Log}");
            try
            {
                using var response = await client.GetAsync($"https://{Server}/v2/");
                if (response.StatusCode == HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"docker-registry did not answer on {Server}:\n{Log}");
            await Task.Delay(100);
        }
    }

    private HttpClient Client()
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>A CA, and a certificate it signed for the registry's IP address.</summary>
    private static (X509Certificate2 Ca, string CertificatePem, string KeyPem) Certificates(string address)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=podlift test registry CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={address}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Parse(address));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var certificate = request.Create(ca, now.AddHours(-1), now.AddDays(2), RandomNumberGenerator.GetBytes(16));
        return (X509CertificateLoader.LoadCertificate(ca.RawData), certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (Directory.Exists(HostTrustDirectory)) Directory.Delete(HostTrustDirectory, recursive: true);
        Directory.Delete(_directory, recursive: true);
        _ca.Dispose();
    }
}

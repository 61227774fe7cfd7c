using Podlift.Protocol;

namespace Podlift.Tests.Unit;

/// <summary>The naming rules the CLI (on podlift.yml) and the agent (on every request) share.</summary>
public class NamesTests
{
    [TestCase("myapp", true)]
    [TestCase("my-app-2", true)]
    [TestCase("a", true)]
    [TestCase("", false)]
    [TestCase("MyApp", false)]
    [TestCase("2app", false)]
    [TestCase("-app", false)]
    [TestCase("my_app", false)]
    [TestCase("../etc", false)]
    [TestCase("a/b", false)]
    [TestCase("a;b", false)]
    [TestCase("a\n", false)]
    [TestCase("x\n}", false)]
    public void IsName(string name, bool valid) => Assert.That(Names.IsName(name), Is.EqualTo(valid));

    [Test]
    public void A_name_fits_one_DNS_label()
    {
        Assert.That(Names.IsName(new string('a', 63)), Is.True);
        Assert.That(Names.IsName(new string('a', 64)), Is.False);
    }

    [TestCase("A", true)]
    [TestCase("_PRIVATE", true)]
    [TestCase("DB_URL_2", true)]
    [TestCase("lower", true)]
    [TestCase("", false)]
    [TestCase("2FA", false)]
    [TestCase("WITH-DASH", false)]
    [TestCase("WITH.DOT", false)]
    [TestCase("ÄPFEL", false)]
    [TestCase("A=B", false)]
    [TestCase("A\0", false)]
    public void IsEnvironmentVariable(string name, bool valid) => Assert.That(Names.IsEnvironmentVariable(name), Is.EqualTo(valid));

    [TestCase("10.0.0.1", true)]
    [TestCase("web-1.example.com", true)]
    [TestCase("prod_web", true)]
    [TestCase("::1", true)]
    [TestCase("fd00::10", true)]
    [TestCase("", false)]
    [TestCase("-oProxyCommand=x", false)]
    [TestCase("10.0.0.1 10.0.0.2", false)]
    [TestCase("10.0.0.1;", false)]
    [TestCase("a{b", false)]
    [TestCase("host\n", false)]
    [TestCase("user@host", false)]
    [TestCase("fe80::1%eth0", false)]
    public void IsHost(string host, bool valid) => Assert.That(Names.IsHost(host), Is.EqualTo(valid));

    [TestCase("myapp.example.com", true)]
    [TestCase("localhost", true)]
    [TestCase("shop example.com", false)]
    [TestCase("a;b", false)]
    [TestCase("a.com;return 200", false)]
    [TestCase("a{}", false)]
    [TestCase("\"a\"", false)]
    [TestCase("$host", false)]
    [TestCase("a.com\n}", false)]
    [TestCase("-a.com", false)]
    [TestCase("*.example.com", false)]
    public void IsDomain(string domain, bool valid) => Assert.That(Names.IsDomain(domain), Is.EqualTo(valid));

    [TestCase("data:/data", true)]
    [TestCase("pg-data:/var/lib/postgresql/data:rw", true)]
    [TestCase("/srv/uploads:/app/uploads:ro", true)]
    [TestCase("/:/host", true)]
    [TestCase("data", false)]
    [TestCase("data:data", false)]
    [TestCase("data:/data:rx", false)]
    [TestCase(":/data", false)]
    [TestCase("../etc:/data", false)]
    [TestCase("/srv/../etc:/data", false)]
    [TestCase("data:/data/..", false)]
    [TestCase("data:/../etc", false)]
    [TestCase("my vol:/data", false)]
    [TestCase("data:/da\nta", false)]
    [TestCase("a:/b:ro:rw", false)]
    public void IsVolume(string volume, bool valid) => Assert.That(Names.IsVolume(volume), Is.EqualTo(valid));

    [TestCase("myapp", true)]
    [TestCase("ghcr.io/me/myapp", true)]
    [TestCase("registry.example.com:5000/team/app", true)]
    [TestCase("localhost:5000/app", true)]
    [TestCase("my__app", true)]
    [TestCase("my--app", true)]
    [TestCase("MyApp", false)]
    [TestCase("myapp:latest", false)]
    [TestCase("my app", false)]
    [TestCase("../app", false)]
    [TestCase("app/", false)]
    public void IsRepository(string name, bool valid) => Assert.That(ImageReference.IsRepository(name), Is.EqualTo(valid));

    [TestCase("myapp:abc1234", true)]
    [TestCase("postgres:16-alpine", true)]
    [TestCase("redis", true)]
    [TestCase("ghcr.io/me/myapp:v1.2_3", true)]
    [TestCase("localhost:5000/app", true)]
    [TestCase("postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [TestCase("postgres:16@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [TestCase("myapp:", false)]
    [TestCase("myapp:-x", false)]
    [TestCase("myapp:a/b", false)]
    [TestCase("myapp:a b", false)]
    [TestCase("myapp@sha256:xyz", false)]
    [TestCase("myapp;rm -rf /", false)]
    [TestCase("--privileged", false)]
    public void IsValid_image_reference(string reference, bool valid) => Assert.That(ImageReference.IsValid(reference), Is.EqualTo(valid));

    [TestCase("abc1234", true)]
    [TestCase("v1", true)]
    [TestCase("1.2.3-rc_1", true)]
    [TestCase("", false)]
    [TestCase("..", false)]
    [TestCase(".hidden", false)]
    [TestCase("-x", false)]
    [TestCase("a/b", false)]
    [TestCase("../../etc/passwd", false)]
    [TestCase("a\nb", false)]
    public void IsTag(string tag, bool valid) => Assert.That(ImageReference.IsTag(tag), Is.EqualTo(valid));

    [TestCase("/etc/letsencrypt/live/shop.example.com/fullchain.pem", true)]
    [TestCase("/etc/letsencrypt/live/shop.example.com/privkey.pem", true)]
    [TestCase("/etc/podlift/tls/myapp/privkey.pem", true)]
    [TestCase("/etc/shadow", false)]
    [TestCase("/etc/letsencrypt/live/other.example.com/privkey.pem", false)]
    [TestCase("/etc/podlift/tls/other/privkey.pem", false)]
    [TestCase("/etc/podlift/tls/myapp/../../../shadow", false)]
    [TestCase("/etc/podlift/tls/myapp/sub/key.pem", false)]
    [TestCase("/etc/podlift/tls/myapp/", false)]
    [TestCase("/etc/podlift/tls/myapp/key.pem;include /etc/x", false)]
    [TestCase("/etc/podlift/tls/myapp/.key", false)]
    public void TlsLocations_allow_only_podlifts_two_directories(string path, bool allowed) =>
        Assert.That(TlsLocations.IsAllowed(path, "myapp", "shop.example.com"), Is.EqualTo(allowed));

    [Test]
    public void Without_a_domain_only_the_apps_own_directory_is_allowed() =>
        Assert.That(TlsLocations.IsAllowed("/etc/letsencrypt/live//privkey.pem", "myapp", ""), Is.False);
}

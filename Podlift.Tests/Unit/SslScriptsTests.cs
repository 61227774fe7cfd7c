using Podlift.Agent.Proxy;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class SslScriptsTests
{
    private static readonly DateTimeOffset Expiry = new(2027, 2, 26, 12, 0, 0, TimeSpan.Zero);

    [TestCase("Feb  6 12:00:00 2027 GMT", "2027-02-06T12:00:00+00:00")]
    [TestCase("Feb 26 12:00:00 2027 GMT", "2027-02-26T12:00:00+00:00")]
    [TestCase("Dec 31 23:59:59 2026 GMT", "2026-12-31T23:59:59+00:00")]
    [TestCase("Jan  1 00:00:00 2030 GMT ", "2030-01-01T00:00:00+00:00")]
    public void ParseInspect_reads_openssl_end_dates_in_utc(string enddate, string expected)
    {
        var status = SslScripts.ParseInspect($"expires={enddate}\n");

        Assert.That(status.Expires, Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(status.Expires!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void ParseInspect_reads_issuer_expiry_and_timer()
    {
        var status = SslScripts.ParseInspect("issuer=C = US, O = Let's Encrypt, CN = R11\nexpires=Feb 26 12:00:00 2027 GMT\ntimer=active\n");

        Assert.That(status, Is.EqualTo(new SslScripts.CertificateStatus("C = US, O = Let's Encrypt, CN = R11", Expiry, "active")));
    }

    [Test]
    public void ParseInspect_without_a_certificate_has_no_issuer_and_no_expiry()
    {
        var status = SslScripts.ParseInspect("timer=inactive\n");

        Assert.That(status, Is.EqualTo(new SslScripts.CertificateStatus(null, null, "inactive")));
        Assert.That(status.DaysLeft(Expiry), Is.Null);
    }

    [TestCase("expires=\n")]
    [TestCase("expires=unable to load certificate\n")]
    [TestCase("expires=2027-02-26 12:00:00\n")]
    public void ParseInspect_of_an_unreadable_end_date_has_no_expiry(string output)
    {
        Assert.That(SslScripts.ParseInspect(output).Expires, Is.Null);
    }

    [Test]
    public void ParseInspect_without_a_timer_line_says_unknown()
    {
        Assert.That(SslScripts.ParseInspect("").RenewalTimer, Is.EqualTo("unknown"));
    }

    [TestCase("2027-02-16T12:00:00Z", 10)]
    [TestCase("2027-02-16T12:00:01Z", 9)]
    [TestCase("2027-02-26T11:00:00Z", 0)]
    [TestCase("2027-02-26T13:00:00Z", -1)]
    [TestCase("2026-11-28T12:00:00Z", 90)]
    public void DaysLeft_counts_whole_days_to_expiry(string now, int expected)
    {
        var status = new SslScripts.CertificateStatus("R11", Expiry, "active");

        Assert.That(status.DaysLeft(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(expected));
    }

    [Test]
    public void Obtain_asks_for_one_certificate_for_every_host_name_named_after_the_first()
    {
        var script = SslScripts.Obtain(["shop.example.com", "www.shop.example.com"], "ops@example.com", "https://pebble:14000/dir");

        Assert.That(script, Does.Contain(" --cert-name 'shop.example.com' -d 'shop.example.com' -d 'www.shop.example.com' "));
        Assert.That(script, Does.Contain(" --expand "), "adding a name later replaces the certificate with one for every name");
    }

    [Test]
    public void Obtain_asks_certbot_for_the_domain_through_the_webroot()
    {
        var script = SslScripts.Obtain(["shop.example.com"], "ops@example.com", "https://pebble:14000/dir");

        Assert.That(script, Does.StartWith("set -eu\n"));
        Assert.That(script, Does.Contain("mkdir -p /var/www/podlift-acme"));
        Assert.That(script, Does.Contain("certbot certonly --webroot -w /var/www/podlift-acme "));
        Assert.That(script, Does.Contain(" -d 'shop.example.com' "));
        Assert.That(script, Does.Contain(" -m 'ops@example.com' "));
        Assert.That(script, Does.Contain(" --server 'https://pebble:14000/dir' "));
        Assert.That(script, Does.Contain(" --deploy-hook 'systemctl reload nginx'"));
        Assert.That(script, Does.Contain("--agree-tos --non-interactive"));
    }

    [Test]
    public void The_webroot_certbot_writes_to_is_the_one_every_nginx_site_serves()
    {
        Assert.That(SslScripts.Webroot, Is.EqualTo(NginxSite.AcmeWebroot));
    }

    [Test]
    public void Renew_forces_renewal_only_when_asked()
    {
        var forced = SslScripts.Renew(force: true);
        var normal = SslScripts.Renew(force: false);

        Assert.That(forced, Does.Contain(" --force-renewal"));
        Assert.That(normal, Does.Not.Contain("--force-renewal"));
        Assert.That(new[] { forced, normal }, Has.All.StartWith("certbot renew --non-interactive").And.All.Contains("--deploy-hook 'systemctl reload nginx'"));
    }

    [Test]
    public void Inspect_reads_the_given_certificate()
    {
        var script = SslScripts.Inspect("/etc/letsencrypt/live/shop.example.com/fullchain.pem");

        Assert.That(script, Does.StartWith("c='/etc/letsencrypt/live/shop.example.com/fullchain.pem'\n"));
        Assert.That(script, Does.Contain("-enddate").And.Contain("-issuer").And.Contain("certbot.timer"));
    }

    [TestCase(10, false, "would run certbot renew: the certificate is due (10 days left")]
    [TestCase(30, false, "the certificate is due (30 days left")]
    [TestCase(60, false, "would keep the certificate: 60 days left, certbot renews within 30 (--force renews now)")]
    [TestCase(60, true, "would run certbot renew --force-renewal: a new certificate now (60 days left")]
    public void Renew_dry_run_says_whether_certbot_would_renew_the_certificate(int daysLeft, bool force, string expected)
    {
        var now = Expiry.AddDays(-daysLeft).AddHours(-1);

        Assert.That(Podlift.Cli.Commands.SslCommand.RenewalPreview(new SslScripts.CertificateStatus("R11", Expiry, "active"), force, now), Does.Contain(expected));
    }

    [Test]
    public void Renew_dry_run_without_a_certificate_says_there_is_nothing_to_renew() =>
        Assert.That(Podlift.Cli.Commands.SslCommand.RenewalPreview(new SslScripts.CertificateStatus(null, null, "inactive"), false, Expiry),
            Does.Contain("no certificate"));
}

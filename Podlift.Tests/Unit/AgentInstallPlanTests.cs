using NUnit.Framework;
using Podlift.Cli.Remote;

namespace Podlift.Tests.Unit;

public class AgentInstallPlanTests
{
    private const string LocalSha = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
    private const string UnitSha = "a665a45920422f462d5a6c7e1c33e8a0b0a7e1b1b1a0d9e9b1b0c6c2f8b1e2c3";
    private const string LocalVersion = "0.2.0-dev.4+9c1e2f3";

    private static RemoteAgentProbe Installed(string? binarySha = LocalSha, string? version = LocalVersion, string? unitSha = UnitSha, bool active = true) =>
        new("x86_64", "root", binarySha, version, unitSha, active, HasSystemd: true);

    [Test]
    public void Parse_reads_every_key_of_the_probe_script_output()
    {
        var probe = RemoteAgentProbe.Parse($"""
            arch=aarch64
            user=deploy
            in_group=yes
            binary_sha={LocalSha}
            version=0.1.0
            unit_sha={UnitSha}
            active=active
            systemd=yes

            """);

        Assert.That(probe, Is.EqualTo(new RemoteAgentProbe("aarch64", "deploy", LocalSha, "0.1.0", UnitSha, true, true, InPodliftGroup: true)));
    }

    [Test]
    public void Parse_of_a_fresh_server_has_no_binary_unit_or_running_service()
    {
        var probe = RemoteAgentProbe.Parse("arch=x86_64\r\nuser=root\r\nactive=inactive\r\n");

        Assert.That(probe, Is.EqualTo(new RemoteAgentProbe("x86_64", "root", null, null, null, false, false, InPodliftGroup: false)));
        Assert.That(probe.CanReachSocket, Is.True, "root reaches the socket without the group");
    }

    [Test]
    public void Parse_treats_empty_values_as_missing_and_tolerates_noise()
    {
        var probe = RemoteAgentProbe.Parse("Welcome to Ubuntu!\narch=\nuser=root\nversion=podlift-agent 0.1.0=beta\nactive=failed\nactive=active\n");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(probe.Architecture, Is.EqualTo("unknown"));
            Assert.That(probe.Version, Is.EqualTo("podlift-agent 0.1.0=beta"), "only the first = splits");
            Assert.That(probe.Active, Is.True, "a repeated key: the last one wins");
            Assert.That(probe.HasSystemd, Is.False);
        }
    }

    private static IEnumerable<TestCaseData> Decisions()
    {
        yield return new TestCaseData(new RemoteAgentProbe("x86_64", "root", null, null, null, false, true), true, true, true,
            "podlift-agent 0.2.0-dev.4+9c1e2f3 installed").SetArgDisplayNames("fresh install");
        yield return new TestCaseData(Installed(), false, false, false,
            "podlift-agent 0.2.0-dev.4+9c1e2f3 is already installed: no change").SetArgDisplayNames("no change");
        yield return new TestCaseData(Installed(binarySha: LocalSha.ToUpperInvariant(), unitSha: UnitSha.ToUpperInvariant()), false, false, false,
            "no change").SetArgDisplayNames("hashes compare case-insensitively");
        yield return new TestCaseData(Installed(binarySha: "0ld", version: "0.1.0"), true, false, true,
            "podlift-agent upgraded in place from 0.1.0 to 0.2.0-dev.4+9c1e2f3").SetArgDisplayNames("upgrade from another version");
        yield return new TestCaseData(Installed(binarySha: "0ld", version: "0.2.0-dev.4+9c1e2f3"), true, false, true,
            "podlift-agent 0.2.0-dev.4+9c1e2f3 reinstalled (the binary differed)").SetArgDisplayNames("same version, different sha");
        yield return new TestCaseData(Installed(unitSha: "0ld"), false, true, true,
            "podlift-agent 0.2.0-dev.4+9c1e2f3: service unit updated").SetArgDisplayNames("unit changed");
        yield return new TestCaseData(Installed(unitSha: null), false, true, true,
            "service unit updated").SetArgDisplayNames("unit missing");
        yield return new TestCaseData(Installed(active: false), false, false, true,
            "podlift-agent 0.2.0-dev.4+9c1e2f3 was not running: started").SetArgDisplayNames("not active");
    }

    [TestCaseSource(nameof(Decisions))]
    public void Decide(RemoteAgentProbe probe, bool upload, bool writeUnit, bool restart, string summary)
    {
        var plan = AgentInstallPlan.Decide(probe, LocalSha, UnitSha);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.UploadBinary, Is.EqualTo(upload), nameof(plan.UploadBinary));
            Assert.That(plan.WriteUnit, Is.EqualTo(writeUnit), nameof(plan.WriteUnit));
            Assert.That(plan.Restart, Is.EqualTo(restart), nameof(plan.Restart));
            Assert.That(plan.ChangesNothing, Is.EqualTo(!upload && !writeUnit && !restart));
            Assert.That(plan.Summary(runningVersion: LocalVersion), Does.Contain(summary));
        }
    }

    [Test]
    public void A_dry_run_names_the_version_found_and_claims_none_for_the_binary_not_yet_run()
    {
        var plan = AgentInstallPlan.Decide(Installed(binarySha: "0ld", version: "0.1.0-dev.2+1a2b3c4"), LocalSha, UnitSha);

        Assert.That(plan.Summary(runningVersion: null), Is.EqualTo("podlift-agent 0.1.0-dev.2+1a2b3c4 replaced in place by this podlift's agent (the binary differs)"));
    }

    [Test]
    public void Without_an_upload_the_installed_binarys_version_is_the_one_named()
    {
        var plan = AgentInstallPlan.Decide(Installed(unitSha: "0ld", version: "0.1.0-dev.2+1a2b3c4"), LocalSha, UnitSha);

        Assert.That(plan.Summary(runningVersion: null), Is.EqualTo("podlift-agent 0.1.0-dev.2+1a2b3c4: service unit updated"));
    }

    [TestCase("root", false, true)]
    [TestCase("root", true, true)]
    [TestCase("deploy", true, true)]
    [TestCase("deploy", false, false)]
    public void Only_root_or_a_member_of_the_podlift_group_reaches_the_socket(string user, bool inGroup, bool reaches)
    {
        var probe = RemoteAgentProbe.Parse($"user={user}\n{(inGroup ? "in_group=yes\n" : "")}");

        Assert.That(probe.InPodliftGroup, Is.EqualTo(inGroup));
        Assert.That(probe.CanReachSocket, Is.EqualTo(reaches));
    }

    [Test]
    public void An_up_to_date_agent_still_adds_a_login_user_outside_the_group()
    {
        var probe = Installed() with { User = "deploy", InPodliftGroup = false };

        var plan = AgentInstallPlan.Decide(probe, LocalSha, UnitSha);

        Assert.That((plan.UploadBinary, plan.WriteUnit, plan.Restart), Is.EqualTo((false, false, false)));
        Assert.That(plan.AddToGroup, Is.True);
        Assert.That(plan.ChangesNothing, Is.False);
        Assert.That(plan.Summary(runningVersion: null), Is.EqualTo("podlift-agent 0.2.0-dev.4+9c1e2f3 is installed; deploy added to the podlift group"));
    }

    [Test]
    public void A_login_user_in_the_group_changes_nothing()
    {
        var plan = AgentInstallPlan.Decide(Installed() with { User = "deploy", InPodliftGroup = true }, LocalSha, UnitSha);

        Assert.That(plan.AddToGroup, Is.False);
        Assert.That(plan.ChangesNothing, Is.True);
    }

    private static AgentInstallPlan Plan(bool upload = false, bool unit = false, bool restart = false) => new(upload, unit, restart, false, Installed());

    private const string UnitText = "[Unit]\nDescription=podlift agent\n\n[Service]\nExecStart=/usr/local/lib/podlift/podlift-agent\n";

    [Test]
    public void Script_adds_only_a_non_root_login_user_to_the_podlift_group()
    {
        var plan = Plan(upload: true, unit: true, restart: true);

        var forDeploy = plan.Script("deploy", UnitText);
        var forRoot = plan.Script("root", UnitText);

        Assert.That(forDeploy, Does.Contain("usermod -aG podlift 'deploy'"));
        Assert.That(forRoot, Does.Not.Contain("usermod"));
        Assert.That(forRoot, Does.Contain("groupadd --system podlift"));
    }

    [Test]
    public void Script_writes_the_unit_in_a_quoted_heredoc_only_when_asked()
    {
        var writes = Plan(unit: true).Script("root", UnitText);
        var keeps = Plan().Script("root", UnitText);

        Assert.That(writes, Does.Contain(
            "cat > /etc/systemd/system/podlift-agent.service <<'PODLIFT_UNIT'\n" + UnitText + "PODLIFT_UNIT\nsystemctl daemon-reload\n"));
        Assert.That(keeps, Does.Not.Contain("PODLIFT_UNIT").And.Not.Contain(UnitText).And.Not.Contain("daemon-reload"));
    }

    [Test]
    public void Script_restarts_only_when_asked()
    {
        var restarts = Plan(restart: true).Script("root", UnitText);
        var leaves = Plan().Script("root", UnitText);

        Assert.That(restarts, Does.EndWith("systemctl restart podlift-agent\n"));
        Assert.That(leaves, Does.Not.Contain("systemctl restart"));
        Assert.That(leaves, Does.Contain("systemctl enable --quiet podlift-agent"));
    }

    [Test]
    public void Script_moves_the_uploaded_binary_into_place_only_when_uploading()
    {
        var uploads = Plan(upload: true).Script("root", UnitText);
        var keeps = Plan().Script("root", UnitText);

        Assert.That(uploads, Does.Contain($"mv -f {AgentInstallPlan.UploadPath} /usr/local/lib/podlift/podlift-agent"));
        Assert.That(keeps, Does.Not.Contain(AgentInstallPlan.UploadPath));
    }

    [Test]
    public void Script_stops_at_the_first_failure()
    {
        var script = Plan(upload: true, unit: true, restart: true).Script("deploy", UnitText);

        Assert.That(script, Does.StartWith("set -eu\n"));
    }
}

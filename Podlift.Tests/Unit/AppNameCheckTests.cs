using Podlift.Cli.Commands;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class AppNameCheckTests
{
    private static AppState Recorded(string source) => new() { App = "myapp", Current = new Deployment { Version = "v1", Source = source } };

    [Test]
    public void A_changing_ci_token_is_the_same_project()
    {
        Assert.That(AppNameCheck.OtherOwner(Recorded("https://ci:OLD@host/o/r.git"), "https://ci:NEW@host/o/r.git"), Is.Null);
    }

    [Test]
    public void An_old_record_with_a_token_is_recognised_by_the_clean_source_a_new_cli_sends()
    {
        Assert.That(AppNameCheck.OtherOwner(Recorded("https://x-access-token:ghs_OLD@github.com/o/r.git"), "https://github.com/o/r.git"), Is.Null);
    }

    [Test]
    public void The_same_repository_over_ssh_and_https_is_the_same_project()
    {
        Assert.That(AppNameCheck.OtherOwner(Recorded("git@GitHub.com:o/r.git"), "https://github.com/o/r"), Is.Null);
    }

    [Test]
    public void Another_project_is_named_without_its_credentials()
    {
        var owner = AppNameCheck.OtherOwner(Recorded("https://ci:OLD@host/o/other.git"), "https://ci:NEW@host/o/r.git");

        Assert.That(owner, Is.EqualTo("https://host/o/other.git"));
        var refusal = AppNameCheck.Refusal("10.0.0.1", "myapp", owner!);
        Assert.That(refusal.Message, Is.EqualTo("10.0.0.1: the app name `myapp` is already used there by another project (https://host/o/other.git)"));
        Assert.That(refusal.ExitCode, Is.EqualTo(Podlift.Cli.Errors.ExitCode.Validation));
    }

    [Test]
    public void A_state_without_a_source_is_ours()
    {
        Assert.That(AppNameCheck.OtherOwner(Recorded(""), "https://host/o/r.git"), Is.Null);
        Assert.That(AppNameCheck.OtherOwner(null, "https://host/o/r.git"), Is.Null);
    }
}

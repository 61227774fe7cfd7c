using Podlift.Cli.Commands;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class RollbackerTests
{
    private static DeploymentInfo Entry(Operation operation, string version, string message, TimeSpan ago) => new()
    {
        Operation = operation, Version = version, CommitMessage = message, Outcome = Outcome.Succeeded,
        StartedAtUnixMilliseconds = DateTimeOffset.UtcNow.Subtract(ago).ToUnixTimeMilliseconds(),
    };

    // newest first, as the agent sends it
    private static AppState State()
    {
        var state = new AppState { App = "myapp", Current = new Deployment { Version = "ccc3333" }, Previous = new Deployment { Version = "bbb2222" } };
        state.History.Add(Entry(Operation.Rollback, "aaa1111", "Rolled back", TimeSpan.FromMinutes(5)));
        state.History.Add(Entry(Operation.Deploy, "ccc3333", "Broken version", TimeSpan.FromMinutes(30)));
        state.History.Add(Entry(Operation.Deploy, "bbb2222", "Working version", TimeSpan.FromHours(2)));
        state.History.Add(Entry(Operation.Deploy, "aaa1111", "First version", TimeSpan.FromDays(3)));
        state.History.Add(Entry(Operation.Deploy, "bbb2222", "Working version, first try", TimeSpan.FromDays(4)));
        return state;
    }

    [TestCase("bbb2222")]
    [TestCase("bbb2")]
    [TestCase("bbb2222abcdef")]
    public void Describe_names_the_version_its_commit_and_its_newest_deploy(string version)
    {
        Assert.That(RollbackCommand.Describe(State(), version), Is.EqualTo("bbb2222 \"Working version\" (deployed 2h ago)"));
    }

    [Test]
    public void Describe_uses_deploys_not_rollbacks()
    {
        Assert.That(RollbackCommand.Describe(State(), "aaa1111"), Is.EqualTo("aaa1111 \"First version\" (deployed 3d ago)"));
    }

    [Test]
    public void Describe_of_a_version_without_a_deploy_in_the_history_is_null()
    {
        var onlyRolledBackTo = new AppState { App = "myapp" };
        onlyRolledBackTo.History.Add(Entry(Operation.Rollback, "aaa1111", "Rolled back", TimeSpan.FromMinutes(5)));

        Assert.That(RollbackCommand.Describe(State(), "ddd4444"), Is.Null);
        Assert.That(RollbackCommand.Describe(onlyRolledBackTo, "aaa1111"), Is.Null);
        Assert.That(RollbackCommand.Describe(new AppState { App = "myapp" }, "aaa1111"), Is.Null);
    }
}

using Podlift.Tests.EndToEnd;

namespace Podlift.Tests.Cli;

/// <summary>
/// What people expect of a CLI, on the real process: colour only on a terminal and never with NO_COLOR or --no-color,
/// `podlift completion bash` sourced by bash, `podlift help &lt;command&gt;`.
/// </summary>
public sealed class ConventionsTests
{
    private const string Escape = "\u001b[";
    private string _directory = null!;

    [SetUp]
    public void EmptyDirectory() => _directory = Directory.CreateTempSubdirectory("podlift-conventions-").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(_directory, recursive: true);

    /// <summary>`init --dry-run` in a directory without a Dockerfile prints ⚠ lines: marks to colour.</summary>
    private Task<ShellResult> OnATerminalAsync(string podliftArguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists("/usr/bin/script")) Assert.Ignore("util-linux's script (a terminal for the CLI) is not installed");
        var command = $"dotnet '{RepositoryPaths.CliAssembly}' {podliftArguments}";
        return Shell.RunAsync("script", ["-qec", command, "/dev/null"], _directory,
            new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["TERM"] = "xterm-256color" }, TimeSpan.FromMinutes(1));
    }

    [Test]
    public async Task On_a_terminal_the_marks_are_coloured()
    {
        var result = await OnATerminalAsync("init --dry-run", new Dictionary<string, string> { ["NO_COLOR"] = "" });

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain($"{Escape}33m⚠{Escape}0m"));
    }

    [Test]
    public async Task NO_COLOR_turns_colour_off_on_a_terminal()
    {
        var result = await OnATerminalAsync("init --dry-run", new Dictionary<string, string> { ["NO_COLOR"] = "1" });

        Assert.That(result.Output, Does.Contain("⚠ ").And.Not.Contain($"{Escape}33m"));
    }

    [Test]
    public async Task The_no_color_flag_turns_colour_off_on_a_terminal()
    {
        var result = await OnATerminalAsync("init --dry-run --no-color", new Dictionary<string, string> { ["NO_COLOR"] = "" });

        Assert.That(result.Output, Does.Contain("⚠ ").And.Not.Contain($"{Escape}33m"));
    }

    [Test]
    public async Task Redirected_output_has_no_escape_codes()
    {
        var result = await Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, "init", "--dry-run"], _directory, timeout: TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.All, Does.Contain("⚠ ").And.Not.Contain(Escape));
    }

    [Test]
    public async Task Bash_sources_the_completion_script_and_completes_commands_and_flags()
    {
        var podlift = $"dotnet '{RepositoryPaths.CliAssembly}'";
        var script = $$"""
            source <({{podlift}} completion bash) || exit 9
            complete -p podlift
            COMP_WORDS=(podlift ag); COMP_CWORD=1; _podlift; echo "1: ${COMPREPLY[*]}"
            COMP_WORDS=(podlift --config x.yml agent ''); COMP_CWORD=4; _podlift; echo "2: ${COMPREPLY[*]}"
            COMP_WORDS=(podlift deploy --sk); COMP_CWORD=2; _podlift; echo "3: ${COMPREPLY[*]}"
            COMP_WORDS=(podlift deploy --config ''); COMP_CWORD=3; _podlift; echo "4: ${#COMPREPLY[@]}"
            """;

        var result = await Shell.RunAsync("bash", ["-c", script], _directory, timeout: TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("complete -o default -F _podlift podlift"));
        Assert.That(result.Output, Does.Contain("1: agent\n"));
        Assert.That(result.Output, Does.Contain("2: install status uninstall --help -h --config -c").And.Contain("--dry-run"));
        Assert.That(result.Output, Does.Contain("3: --skip-build --skip-healthcheck\n"));
        Assert.That(result.Output, Does.Contain("4: 0\n"), "after --config, bash's own file completion takes over");
    }

    [TestCase("zsh", "-n")]
    [TestCase("fish", "--no-execute")]
    public async Task The_zsh_and_fish_scripts_parse_where_those_shells_are_installed(string shell, string checkOnly)
    {
        var printed = await Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, "completion", shell], _directory, timeout: TimeSpan.FromMinutes(1));
        Assert.That(printed.ExitCode, Is.Zero, printed.All);
        Assert.That(printed.Output, Does.Contain("podlift").And.Contain("agent").And.Contain("uninstall").And.Contain("dry-run"));

        var file = Path.Combine(_directory, $"podlift.{shell}");
        File.WriteAllText(file, printed.Output);
        ShellResult parsed;
        try
        {
            parsed = await Shell.RunAsync(shell, [checkOnly, file], _directory, timeout: TimeSpan.FromMinutes(1));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Ignore($"{shell} is not installed here: only the script's content was checked");
            return;
        }
        Assert.That(parsed.ExitCode, Is.Zero, parsed.All);
    }

    [Test]
    public async Task An_unknown_shell_is_a_usage_error()
    {
        var result = await Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, "completion", "powershell"], _directory, timeout: TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Error, Does.Contain("bash").And.Contain("fish"));
    }

    [Test]
    public async Task Help_with_a_command_is_that_commands_help()
    {
        var help = await Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, "help", "agent", "install"], _directory, timeout: TimeSpan.FromMinutes(1));
        var flag = await Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, "agent", "install", "--help"], _directory, timeout: TimeSpan.FromMinutes(1));

        Assert.That(help.ExitCode, Is.Zero, help.All);
        Assert.That(help.Output, Does.Contain("podlift agent install [options]"));
        Assert.That(help.Output, Is.EqualTo(flag.Output));
    }

    [Test]
    public async Task Help_for_a_command_podlift_lacks_says_so()
    {
        var result = await Shell.RunAsync("dotnet", [RepositoryPaths.CliAssembly, "help", "deploi"], _directory, timeout: TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.Contain("no command `deploi`").And.Contain("podlift help"));
    }
}

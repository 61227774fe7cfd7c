using Podlift.Cli.Commands;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;

namespace Podlift.Tests.Unit;

public class InitTemplateTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("podlift-init-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [TestCase("myapp", "myapp")]
    [TestCase("My_Cool App", "my-cool-app")]
    [TestCase("shop.example.com", "shop-example-com")]
    [TestCase("--weird__name--", "weird-name")]
    [TestCase("2048", "app-2048")]
    [TestCase("Ünïcode", "n-code")]
    [TestCase("___", "app")]
    public void Service_name_comes_from_the_folder_name_sanitised(string folder, string expected) =>
        Assert.That(InitTemplate.ServiceName(folder), Is.EqualTo(expected));

    [Test]
    public void Written_config_loads_once_its_placeholder_host_is_set_and_has_the_guides_defaults()
    {
        var path = Write("podlift.yml", InitTemplate.PodliftYml("shop"));

        var config = ConfigLoader.Load(path, new Dictionary<string, string> { [InitTemplate.HostVariable] = "192.0.2.10" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.App, Is.EqualTo("shop"));
            Assert.That(config.Image, Is.EqualTo("shop"));
            Assert.That(config.Servers.Single().Host, Is.EqualTo("192.0.2.10"));
            Assert.That(config.Servers.Single().User, Is.Null, "commented out: ssh's config decides");
            var web = config.Services.Single();
            Assert.That(web.Name, Is.EqualTo("web"));
            Assert.That(web.Port, Is.EqualTo(8000));
            Assert.That(web.Replicas, Is.EqualTo(1));
            Assert.That(web.HealthCheck, Is.EqualTo(HealthCheckConfig.Default with { Expect = web.HealthCheck!.Expect }));
            Assert.That(web.HealthCheck!.Expect, Is.EqualTo(new[] { 200 }));
            Assert.That(config.Proxy.Enabled, Is.True);
            Assert.That(config.Drain, Is.EqualTo(TimeSpan.FromSeconds(30)));
        }
    }

    [Test]
    public void Written_config_loads_with_the_host_written_in_and_the_commented_env_enabled()
    {
        var yaml = InitTemplate.PodliftYml("shop")
            .Replace("${SERVER_HOST}", "app.example.com")
            .Replace("    # env:", "    env:")
            .Replace("    #   DATABASE_URL", "      DATABASE_URL")
            .Replace("    #   SECRET_KEY", "      SECRET_KEY");

        var config = ConfigLoader.Load(Write("podlift.yml", yaml), new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://x", ["SECRET_KEY"] = "k" });

        Assert.That(config.Servers.Single().Host, Is.EqualTo("app.example.com"));
        Assert.That(config.Services.Single().Env, Is.EquivalentTo(new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://x", ["SECRET_KEY"] = "k" }));
    }

    [Test]
    public void Its_commented_registry_loads_when_enabled()
    {
        var yaml = InitTemplate.PodliftYml("shop")
            .Replace("${SERVER_HOST}", "app.example.com")
            .Replace("# registry:", "registry:  ")
            .Replace("#   server:", "  server:")
            .Replace("#   username:", "  username:")
            .Replace("#   password:", "  password:");

        var config = ConfigLoader.Load(Write("podlift.yml", yaml), new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "p" });

        Assert.That(config.Registry, Is.EqualTo(new RegistryConfig("ghcr.io", "me", "p")));
    }

    [Test]
    public void Written_config_without_its_host_names_the_variable_to_set()
    {
        var path = Write("podlift.yml", InitTemplate.PodliftYml("shop"));

        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Load(path, new Dictionary<string, string>()))!;

        Assert.That(error.Message, Does.Contain("servers[0].host").And.Contain("SERVER_HOST"));
        Assert.That((int)error.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void The_env_example_sets_the_host_the_config_reads()
    {
        Write("podlift.yml", InitTemplate.PodliftYml("shop"));
        Write(".env", InitTemplate.EnvExample("shop"));

        var config = ConfigLoader.Load(Path.Combine(_directory, "podlift.yml"), new Dictionary<string, string>());

        Assert.That(config.Servers.Single().Host, Is.EqualTo("192.168.1.10"));
    }

    [Test]
    public void Init_writes_both_files_named_after_the_folder_and_prints_the_next_steps()
    {
        var project = Directory.CreateDirectory(Path.Combine(_directory, "Web Shop")).FullName;
        var (output, printed) = Console();

        new InitCommand(output).Run(Path.Combine(project, "podlift.yml"));

        Assert.That(File.ReadAllText(Path.Combine(project, "podlift.yml")), Does.Contain("service: web-shop "));
        Assert.That(File.ReadAllText(Path.Combine(project, ".env.example")), Does.Contain("SERVER_HOST="));
        Assert.That(printed.ToString(), Does.Contain("Next steps").And.Contain("podlift agent install").And.Contain("podlift deploy"));
        Assert.That(printed.ToString(), Does.Contain("no Dockerfile").And.Contain(".gitignore"));
    }

    [TestCase("podlift.yml")]
    [TestCase(".env.example")]
    public void Init_refuses_to_overwrite_either_file_and_writes_nothing(string existing)
    {
        Write(existing, "mine\n");
        var (output, _) = Console();

        var error = Assert.Throws<ConfigurationException>(() => new InitCommand(output).Run(Path.Combine(_directory, "podlift.yml")))!;

        Assert.That((int)error.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.Contain(existing).And.Contain("already exists"));
        Assert.That(File.ReadAllText(Path.Combine(_directory, existing)), Is.EqualTo("mine\n"));
        Assert.That(Directory.GetFiles(_directory).Select(Path.GetFileName), Is.EquivalentTo(new[] { existing }));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (ConsoleOutput Output, StringWriter Printed) Console()
    {
        var printed = new StringWriter();
        return (new ConsoleOutput(printed, printed, verbose: false), printed);
    }
}

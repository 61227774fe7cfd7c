using Podlift.Cli.Configuration;
using Podlift.Tests.EndToEnd;

namespace Podlift.Tests.Unit;

/// <summary>
/// docs/configuration.md's reference is rendered from the schema. `make docs` runs these tests with
/// PODLIFT_WRITE_DOCS=1, which writes the file instead of failing on a difference.
/// </summary>
public class ConfigurationDocTests
{
    private static string DocPath => Path.Combine(RepositoryPaths.Root, "docs", "configuration.md");

    [Test]
    public void The_reference_in_docs_configuration_md_is_rendered_from_the_schema()
    {
        var doc = File.ReadAllText(DocPath);
        var rendered = ConfigurationDoc.WithReference(doc);
        if (rendered != doc && Environment.GetEnvironmentVariable("PODLIFT_WRITE_DOCS") == "1")
        {
            File.WriteAllText(DocPath, rendered);
            Assert.Pass($"wrote {DocPath}");
        }

        Assert.That(doc, Is.EqualTo(rendered), "docs/configuration.md's reference is not the schema's: run `make docs` and commit the result");
    }

    [Test]
    public void The_reference_example_is_a_podlift_yml_that_loads()
    {
        using var dir = new TempDirectory();
        dir.Write(".env", "");

        var config = ConfigLoader.Load(dir.Write("podlift.yml", ConfigurationDoc.Example()),
            new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "r", ["DB_PASSWORD"] = "d" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Services.Single().Name, Is.EqualTo("web"));
            Assert.That(config.Services.Single().Env["DATABASE_URL"], Is.EqualTo("postgres://app:d@postgres:5432/app"));
            Assert.That(config.Dependencies.Single().Name, Is.EqualTo("postgres"));
            Assert.That(config.Registry, Is.Not.Null);
            Assert.That(config.Release, Is.Not.Null);
            Assert.That(config.Hooks.Any, Is.True);
            Assert.That(config.Proxy.Ssl, Is.EqualTo(SslMode.LetsEncrypt));
        }
    }

    [Test]
    public void Every_key_without_keys_under_it_has_an_example_value()
    {
        var bare = ConfigSchema.Keys.Where(key => !ConfigurationDoc.HasKeys(key) && key.Example is null && key.Default is null).Select(key => key.Path);

        Assert.That(bare, Is.Empty);
    }
}

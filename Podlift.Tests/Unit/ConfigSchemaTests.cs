using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using YamlDotNet.RepresentationModel;

namespace Podlift.Tests.Unit;

/// <summary>The schema is what the loader knows and fills in, and what `podlift config` prints.</summary>
public class ConfigSchemaTests
{
    private const string Base = """
        service: myapp
        image: myapp
        servers:
          - 10.0.0.1

        """;

    private TempDirectory _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => _dir.Dispose();

    private PodliftConfig Load(string yaml) => ConfigLoader.Load(_dir.Write("podlift.yml", yaml), new Dictionary<string, string>());

    [Test]
    public void Top_level_keys_are_in_the_order_the_loader_has_always_listed_them() =>
        Assert.That(ConfigSchema.KeysOf(""), Is.EqualTo(new[]
            { "service", "image", "domain", "env_file", "git", "servers", "registry", "dependencies", "services", "proxy", "drain", "rollout", "hooks", "release", "verify", "retain" }));

    /// <summary>Each mapping of the schema, in a podlift.yml that loads, with {0} where a key of that mapping goes.</summary>
    private static IEnumerable<TestCaseData> Mappings()
    {
        yield return new TestCaseData("", Base + "{0}: 1\n");
        yield return new TestCaseData("git", Base + "git:\n  {0}: 1\n");
        yield return new TestCaseData("servers[]", "service: myapp\nimage: myapp\nservers:\n  - host: 10.0.0.1\n    {0}: 1\n");
        yield return new TestCaseData("registry", Base + "registry:\n  server: ghcr.io\n  {0}: 1\n");
        yield return new TestCaseData("dependencies.<name>", Base + "dependencies:\n  db:\n    image: postgres:16\n    {0}: 1\n");
        yield return new TestCaseData("dependencies.<name>.options", Base + "dependencies:\n  db:\n    image: postgres:16\n    options:\n      {0}: 1\n");
        yield return new TestCaseData("services.<name>", Base + "services:\n  web:\n    {0}: 1\n");
        yield return new TestCaseData("services.<name>.healthcheck", Base + "services:\n  web:\n    healthcheck:\n      {0}: 1\n");
        yield return new TestCaseData("services.<name>.options", Base + "services:\n  web:\n    options:\n      {0}: 1\n");
        yield return new TestCaseData("proxy", Base + "proxy:\n  {0}: 1\n");
        yield return new TestCaseData("hooks", Base + "hooks:\n  {0}: 1\n");
        yield return new TestCaseData("verify", Base + "verify:\n  window: 30s\n  {0}: 1\n");
        yield return new TestCaseData("release", Base + "release:\n  command: migrate\n  {0}: 1\n");
    }

    [TestCaseSource(nameof(Mappings))]
    public void The_loader_knows_exactly_the_keys_the_schema_lists(string mapping, string yaml)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(string.Format(yaml, "zzzzzzzzzzzz")))!;

        Assert.That(error.Message, Does.EndWith($"zzzzzzzzzzzz is not a known key (known: {string.Join(", ", ConfigSchema.KeysOf(mapping))})"));
    }

    [Test]
    public void Every_mapping_with_keys_of_its_own_is_checked_by_the_loader()
    {
        var mappings = ConfigSchema.Keys.Select(key => key.Parent).Where(parent => ConfigSchema.Keys.Any(k => k.Parent == parent && !k.IsNamedByUser)).Distinct();

        Assert.That(mappings, Is.EquivalentTo(Mappings().Select(data => (string)data.Arguments[0]!)));
    }

    [Test]
    public void Every_default_of_the_schema_is_what_podlift_config_shows_for_a_podlift_yml_without_the_key()
    {
        var plain = Rendered(Load(Base));
        var withTlsAndRelease = Rendered(Load(Base + "domain: myapp.example.com\nproxy:\n  ssl: letsencrypt\nrelease: migrate\nverify: 30s\n"));
        var checkedKeys = ConfigSchema.Keys.Where(key => key.Default is not null && !ConfigRenderer.NotRendered.Contains(key.Path)).ToList();

        using (Assert.EnterMultipleScope())
        {
            foreach (var key in checkedKeys)
                Assert.That(ValueAt(plain, key) ?? ValueAt(withTlsAndRelease, key), Is.EqualTo(key.Default), key.Path);
        }
        Assert.That(checkedKeys, Has.Count.GreaterThan(15));
    }

    [Test]
    public void Every_key_path_names_a_mapping_the_schema_has()
    {
        var orphans = ConfigSchema.Keys.Where(key => key.Parent.Length > 0 && !ConfigSchema.Keys.Any(k => k.Path == key.Parent || k.Path + "[]" == key.Parent));

        Assert.That(orphans.Select(key => key.Path), Is.Empty);
    }

    [TestCase("services.web.healthcheck.timeout", "services.<name>.healthcheck.timeout")]
    [TestCase("servers[].host", "servers[].host")]
    [TestCase("dependencies.db.env.PASSWORD", "dependencies.<name>.env.<variable>")]
    [TestCase("proxy.max_body_size", "proxy.max_body_size")]
    public void A_concrete_path_finds_its_key(string path, string expected) =>
        Assert.That(ConfigSchema.Find(path)?.Path, Is.EqualTo(expected));

    [Test]
    public void A_path_podlift_does_not_know_finds_nothing() =>
        Assert.That(ConfigSchema.Find("services.web.healthcheck.nope"), Is.Null);

    private static YamlMappingNode Rendered(PodliftConfig config)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(ConfigRenderer.Render(config, showSecrets: false)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>The value at the key's example path (services.web.port), as podlift.yml writes it; null if absent.</summary>
    private static string? ValueAt(YamlMappingNode root, ConfigKey key)
    {
        YamlNode node = root;
        foreach (var segment in ConfigSchema.ExamplePath(key).Split('.'))
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(segment), out node!)) return null;
        return node switch
        {
            YamlScalarNode scalar => scalar.Value,
            YamlSequenceNode sequence => $"[{string.Join(", ", sequence.Children.Cast<YamlScalarNode>().Select(item => item.Value))}]",
            _ => null,
        };
    }
}

using System.Text;

namespace Podlift.Cli.Configuration;

/// <summary>
/// What `podlift init` writes: a commented podlift.yml with the guide's defaults, its keys, defaults and comments
/// from <see cref="ConfigSchema"/>; and .env.example. Pure.
/// </summary>
public static class InitTemplate
{
    /// <summary>The variable the written podlift.yml reads the server's address from, until the user writes it in.</summary>
    public const string HostVariable = "SERVER_HOST";

    /// <summary>
    /// A valid app name from a folder name: lowercase letters, digits and dashes, starting with a letter
    /// ("My_App 2" → "my-app-2", "2048" → "app-2048").
    /// </summary>
    public static string ServiceName(string folderName)
    {
        var name = new StringBuilder();
        foreach (var c in folderName.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) name.Append(c);
            else if (name.Length > 0 && name[^1] != '-') name.Append('-');
        }
        var text = name.ToString().Trim('-');
        if (text.Length == 0) return "app";
        if (!char.IsAsciiLetterLower(text[0])) text = "app-" + text;
        return text.Length <= 50 ? text : text[..50].TrimEnd('-');
    }

    public static string PodliftYml(string name) => $$"""
        # podlift.yml: how podlift deploys {{name}}. Every key is described in podlift's docs/configuration.md;
        # `podlift config` shows this file resolved.
        # Values may use ${VAR} or ${VAR:-default}: read from .env beside this file and from the environment
        # (the environment wins).


        """ + AnnotatedYaml.Render(Lines(name), CommentColumn);

    /// <summary>The keys a first podlift.yml shows: the guide's defaults set, the common options commented out.</summary>
    private static IEnumerable<YamlLine> Lines(string name) =>
    [
        Set("service", name),
        Set("image", name),
        Commented("domain", $"{name}.example.com"),
        Commented("env_file"),
        YamlLine.Blank,
        Set("servers"),
        Set("servers[].host", $"${{{HostVariable}}}", $"your server's IP address, host name or ~/.ssh/config Host alias: set {HostVariable} in .env, or write it here"),
        Commented("servers[].user"),
        Commented("servers[].port"),
        Commented("servers[].ssh_key"),
        Commented("servers[].labels"),
        YamlLine.Blank,
        Commented("registry"),
        Commented("registry.server"),
        Commented("registry.username"),
        Commented("registry.password"),
        YamlLine.Blank,
        Set("services"),
        Set("services.web"),
        Set("services.web.port"),
        Set("services.web.replicas"),
        Commented("services.web.command"),
        Set("services.web.healthcheck"),
        Set("services.web.healthcheck.path"),
        Set("services.web.healthcheck.expect"),
        Set("services.web.healthcheck.timeout"),
        Set("services.web.healthcheck.interval"),
        Set("services.web.healthcheck.retries"),
        Commented("services.web.env"),
        Commented("services.web.env.DATABASE_URL", "${DATABASE_URL}", ""),
        Commented("services.web.env.SECRET_KEY", "${SECRET_KEY}", ""),
        Commented("services.worker", comment: "a background service without an HTTP endpoint"),
        Commented("services.worker.command", "bin/worker", ""),
        Commented("services.worker.healthcheck", "false", ""),
        YamlLine.Blank,
        Set("proxy"),
        Set("proxy.enabled"),
        Set("drain"),
    ];

    /// <summary>A key as podlift.yml has it: its value, else its default; the comment: its description, unless given ("" for none).</summary>
    private static YamlLine Set(string path, string? value = null, string? comment = null)
    {
        var key = Key(path);
        return new YamlLine(path, value ?? key.Default ?? key.Example, Comment: comment ?? key.Description);
    }

    /// <summary>A key commented out: its example value, and what leaving it out means.</summary>
    private static YamlLine Commented(string path, string? value = null, string? comment = null)
    {
        var key = Key(path);
        var unset = key.Unset ?? key.Default;
        return new YamlLine(path, value ?? key.Example ?? key.Default, CommentedOut: true,
            Comment: comment ?? (unset is null ? key.Description : $"{key.Description} (default: {unset})"));
    }

    private const int CommentColumn = 37;

    private static ConfigKey Key(string path) => ConfigSchema.Find(path) ?? throw new ArgumentException($"podlift.yml has no key {path}", nameof(path));

    public static string EnvExample(string name) => $"""
        # Variables podlift.yml reads as ${"{"}NAME{"}"}. Copy this file to .env, fill it in, and keep .env out of git:
        # it holds secrets. Commit .env.example so others know what to set.
        {HostVariable}=192.168.1.10
        # DATABASE_URL=postgres://{name}:change-me@db.example.com:5432/{name}
        # SECRET_KEY=change-me

        """;

    public static IReadOnlyList<string> NextSteps(string configFileName) =>
    [
        $"1. Say where to deploy: {HostVariable}=<your server> in .env (cp .env.example .env), or write the host into {configFileName}",
        "2. Check that `ssh root@<your server>` logs in with your key (podlift uses your ssh setup)",
        "3. podlift agent install      # once per server",
        "4. git commit, then: podlift deploy",
    ];
}

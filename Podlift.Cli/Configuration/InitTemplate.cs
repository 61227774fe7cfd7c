using System.Text;

namespace Podlift.Cli.Configuration;

/// <summary>What `podlift init` writes: a commented podlift.yml with the guide's defaults, and .env.example. Pure.</summary>
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
        # podlift.yml: how podlift deploys {{name}}. Every key is described in podlift's README
        # ("Configuration reference"); `podlift config` shows this file resolved.
        # Values may use ${VAR} or ${VAR:-default}: read from .env beside this file and from the environment
        # (the environment wins).

        {{Commented($"service: {name}", $"the app's name; containers are {name}-<service>-<version>-<n>")}}
        {{Commented($"image: {name}", "built from ./Dockerfile, tagged with the git short sha")}}
        {{Commented($"# domain: {name}.example.com", "nginx server_name; without it the app is the server's default site")}}
        # env_file: .env                     # default: .env beside this file

        servers:
          - host: ${{{HostVariable}}}             # your server's IP address, host name or ~/.ssh/config Host alias: set {{HostVariable}} in .env, or write it here
            # user: root                     # default: your ssh config's (User), else your login name; not root: passwordless sudo
            # port: 22                       # default: your ssh config's (Port), else 22
            # ssh_key: ~/.ssh/id_ed25519     # default: whatever ssh would use
            # labels: [primary]              # the primary hosts the load balancer (default: the first server)

        # registry:                          # optional: push the image once and let each server pull it
        #   server: ghcr.io                  #   (default: no registry; each server is sent what it lacks)
        #   username: me
        #   password: ${REGISTRY_PASSWORD}   # set it in .env; never printed

        services:
          web:
            port: 8000                       # the port the app listens on inside its container
            replicas: 1                      # containers per server
            # command: bin/server --port 8000   # default: the image's own command
            healthcheck:                     # a new version gets traffic only once this answers
              path: /health
              expect: [200]
              timeout: 30s                   # how long a new container has to become healthy
              interval: 10s                  # the longest pause between probes
              retries: 3                     # wrong answers tolerated
            # env:                           # the container's environment; `podlift config` masks the values
            #   DATABASE_URL: ${DATABASE_URL}
            #   SECRET_KEY: ${SECRET_KEY}
          # worker:                          # a background service without an HTTP endpoint
          #   command: bin/worker
          #   healthcheck: false

        proxy:
          enabled: true                      # nginx on each server routes port 80 to the web service
        drain: 30s                           # how long to wait for in-flight requests before stopping the old version

        """;

    private const int CommentColumn = 37;

    private static string Commented(string yaml, string comment) => $"{yaml.PadRight(CommentColumn - 1)} # {comment}";

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

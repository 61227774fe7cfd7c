using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>One app name per server belongs to one project: a deploy from another repository would replace its containers.</summary>
public static class AppNameCheck
{
    /// <summary>
    /// The project that owns the app name on that server, without its credentials, when it is another one. Pure.
    /// Projects are compared by <see cref="ProjectSource.Identity"/>: a recorded source with an old CI token in it
    /// (as deploys before podlift stripped them recorded) is the same project as a clean one.
    /// </summary>
    public static string? OtherOwner(AppState? state, string source) =>
        state?.Current is { Source.Length: > 0 } current && !ProjectSource.SameProject(current.Source, source) ? ProjectSource.WithoutCredentials(current.Source) : null;

    public static ValidationException Refusal(string host, string app, string owner) =>
        new($"{host}: the app name `{app}` is already used there by another project ({owner})",
            "rename `service:` in podlift.yml, or remove the other app from that server first");

    /// <summary>Refuses when another project owns the app name on one of the servers. Pure.</summary>
    public static void EnsureOurs(PodliftConfig config, ServerApps apps, string source)
    {
        foreach (var server in apps.Servers)
        {
            if (OtherOwner(apps.App(server, config.App), source) is { } owner)
                throw Refusal(server.Host, config.App, owner);
        }
    }
}

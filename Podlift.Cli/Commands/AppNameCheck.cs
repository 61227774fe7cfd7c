using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Remote;
using Podlift.Protocol;

namespace Podlift.Cli.Commands;

/// <summary>One app name per server belongs to one project: a deploy from another repository would replace its containers.</summary>
public static class AppNameCheck
{
    /// <summary>The project that owns the app name on that server, when it is another one. Pure.</summary>
    public static string? OtherOwner(AppState? state, string source) =>
        state is { Source.Length: > 0 } && state.Source != source ? state.Source : null;

    public static async Task EnsureOursAsync(PodliftConfig config, IEnumerable<ServerSession> sessions, string source, CancellationToken cancellationToken)
    {
        foreach (var session in sessions)
        {
            if (OtherOwner(await session.AppStateAsync(config.App, cancellationToken), source) is { } owner)
                throw new ValidationException($"{session.Server.Host}: the app name `{config.App}` is already used there by another project ({owner})",
                    "rename `service:` in podlift.yml, or remove the other app from that server first");
        }
    }
}

using Docker.DotNet.Models;
using Podlift.Agent.Machine;

namespace Podlift.Agent.Docker;

/// <summary>
/// Docker's version, which every command's Hello reports. Docker's /version runs runc and docker-init to report theirs
/// too (about 25 ms on a test server); the answer changes only with another daemon process, so it is kept per daemon:
/// the pid in its pid file with that process's start time. Without a readable pid file, Docker is asked each time.
/// A kept version is told only once the daemon answers its ping (/_ping runs nothing): a daemon that hangs keeps its
/// pid, and Hello must not call it well. Docker has <paramref name="answerWithin"/> to answer either; Hello then fails
/// with a reason, before the client's deadline.
/// </summary>
public sealed class DockerVersionCache(
    Func<CancellationToken, Task<VersionResponse>> fetch, Func<CancellationToken, Task> ping, string pidFile = "/var/run/docker.pid", string proc = "/proc",
    TimeSpan? answerWithin = null)
{
    /// <summary>Below the CLI's Hello deadline (15 s), so that the reason reaches it.</summary>
    public static readonly TimeSpan DefaultAnswerWithin = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _answerWithin = answerWithin ?? DefaultAnswerWithin;

    private sealed record Known(string Daemon, VersionResponse Version);

    private Known? _known;

    public async Task<VersionResponse> GetAsync(CancellationToken cancellationToken)
    {
        var daemon = Daemon();
        if (daemon is not null && _known is { } known && known.Daemon == daemon)
        {
            await DockerDeadline.WithinAsync(ping, _answerWithin, NoAnswer, cancellationToken);
            return known.Version;
        }
        var version = await DockerDeadline.WithinAsync(fetch, _answerWithin, NoAnswer, cancellationToken);
        if (daemon is not null) _known = new Known(daemon, version); // a daemon restarted meanwhile has another start time: asked again next time
        return version;
    }

    private string NoAnswer => $"Docker did not answer within {_answerWithin.TotalSeconds:0.#} s";

    /// <summary>"pid:start time" of the running daemon, or null.</summary>
    private string? Daemon()
    {
        try
        {
            var pid = File.ReadAllText(pidFile).Trim();
            if (!int.TryParse(pid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)) return null;
            var started = StartTime(File.ReadAllText(Path.Combine(proc, pid, "stat")));
            return started is null ? null : $"{pid}:{started}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>When the process started (field 22 of its /proc stat line), or null. Pure.</summary>
    public static string? StartTime(string stat) => ProcStat.FieldsAfterName(stat) is { Length: > 19 } fields ? fields[19] : null;
}

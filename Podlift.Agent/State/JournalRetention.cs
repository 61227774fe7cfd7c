namespace Podlift.Agent.State;

/// <summary>
/// Which jobs' journals an app keeps, with the plans beside them (which hold the env values of their day): the newest
/// <see cref="NewestKept"/>, and every one still named somewhere, whatever its age: by the record (current, previous, a
/// canary, the deployments a rollback can return to, the ledger's entries, which `podlift attach --id` replays), or by the
/// label of a container still on the server (a lost state.json is rebuilt from those labels and their plans; `retain`
/// can keep more versions than the record lists). The others go when a job ends, so a server deployed to for years
/// keeps neither a journal of every deploy nor every env value it was ever given.
/// </summary>
public static class JournalRetention
{
    public const int NewestKept = AppRecord.HistoryLimit;

    /// <param name="deployIds">The jobs with a journal or a plan on disk. A deploy id begins with its start time, so they order by age.</param>
    /// <param name="record">The app's record; null (lost or unreadable): nothing goes, as nothing says what a rebuild will need.</param>
    /// <param name="onContainers">The deploy ids the app's containers carry.</param>
    public static IReadOnlyList<string> SelectForRemoval(IEnumerable<string> deployIds, AppRecord? record, IEnumerable<string> onContainers)
    {
        if (record is null) return [];
        var named = new[] { record.Current, record.Previous, record.Canary?.Deployment }.Concat(record.Deployments)
            .OfType<DeploymentRecord>()
            .Select(d => d.DeployId)
            .Concat(record.History.Select(h => h.DeployId))
            .Concat(onContainers)
            .ToHashSet(StringComparer.Ordinal);
        return deployIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .SkipLast(NewestKept)
            .Where(id => !named.Contains(id))
            .ToList();
    }
}

namespace Podlift.Agent.State;

/// <summary>
/// Which jobs' journals an app keeps, with the plans beside them (which hold the env values of their day): the newest
/// <see cref="NewestKept"/>, as many as the ledger lists (`podlift attach --id` replays any of them), and every one the
/// record still names (current, previous, a canary, the deployments a rollback can return to), whose plans rebuild a
/// lost state.json. The older ones go when a job ends, so a server deployed to for years keeps neither a journal of
/// every deploy nor every env value it was ever given.
/// </summary>
public static class JournalRetention
{
    public const int NewestKept = AppRecord.HistoryLimit;

    /// <param name="deployIds">The jobs with a journal or a plan on disk. A deploy id begins with its start time, so they order by age.</param>
    /// <param name="record">The app's record; null (lost or unreadable): nothing goes, as nothing says what a rebuild will need.</param>
    public static IReadOnlyList<string> SelectForRemoval(IEnumerable<string> deployIds, AppRecord? record)
    {
        if (record is null) return [];
        var named = new[] { record.Current, record.Previous, record.Canary?.Deployment }.Concat(record.Deployments)
            .OfType<DeploymentRecord>()
            .Select(d => d.DeployId)
            .ToHashSet(StringComparer.Ordinal);
        return deployIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .SkipLast(NewestKept)
            .Where(id => !named.Contains(id))
            .ToList();
    }
}

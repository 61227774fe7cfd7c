using System.Runtime.CompilerServices;
using Google.Protobuf;
using Podlift.Protocol;

namespace Podlift.Agent.Deploy;

/// <summary>
/// The append-only event log of one job. Any number of readers stream it from the start, live; every
/// event is also written to the job's journal file so the outcome survives the client and the agent
/// (flushed with each event, fsynced when the job completes). A journal the disk refuses (full) stops
/// being written; the job and its readers go on from memory, and <see cref="JournalError"/> says why.
/// </summary>
public sealed class JobEvents : IDisposable
{
    private readonly object _gate = new();
    private readonly List<DeployEvent> _events = [];
    private readonly FileStream? _file;
    private readonly StreamWriter? _journal;
    private string? _journalError;
    private TaskCompletionSource _changed = NewSignal();
    private bool _completed;

    public JobEvents(string deployId, Operation operation, string? journalPath)
    {
        DeployId = deployId;
        Operation = operation;
        if (journalPath is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(journalPath)!);
        _file = new FileStream(journalPath, FileMode.Append, FileAccess.Write, FileShare.Read);
        _journal = new StreamWriter(_file) { AutoFlush = true };
    }

    public string DeployId { get; }

    public Operation Operation { get; private set; }

    /// <summary>A deploy that failed its verification goes on as the rollback that reverts it: its next events say so.</summary>
    public void TurnInto(Operation operation)
    {
        lock (_gate) Operation = operation;
    }

    public bool IsCompleted
    {
        get { lock (_gate) return _completed; }
    }

    public DeployStep CurrentStep { get; private set; }

    /// <summary>Why the journal file lacks events, or null when it has them all.</summary>
    public string? JournalError
    {
        get { lock (_gate) return _journalError; }
    }

    public void Publish(DeployEvent deployEvent)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_completed) throw new InvalidOperationException("the job has already finished");
            deployEvent.Sequence = _events.Count + 1;
            deployEvent.UnixMilliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            deployEvent.DeployId = DeployId;
            deployEvent.Operation = Operation;
            if (deployEvent.StepStarted is { } started) CurrentStep = started.Step;
            _events.Add(deployEvent);
            ToJournal(() => _journal?.WriteLine(JsonFormatter.Default.Format(deployEvent)));
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    public void Complete()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _completed = true;
            ToJournal(() => _file?.Flush(flushToDisk: true)); // the ending must survive a power cut
            changed = _changed;
        }
        changed.TrySetResult();
    }

    public async IAsyncEnumerable<DeployEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = 0;
        while (true)
        {
            DeployEvent[] batch;
            bool completed;
            Task changed;
            lock (_gate)
            {
                batch = _events.Skip(next).ToArray();
                completed = _completed;
                changed = _changed.Task;
            }
            foreach (var deployEvent in batch) yield return deployEvent;
            next += batch.Length;
            if (completed && batch.Length == 0) yield break;
            if (batch.Length == 0) await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Under the gate. After the first failure the journal is left alone: its buffer may hold half a line.</summary>
    private void ToJournal(Action write)
    {
        if (_journalError is not null) return;
        try { write(); }
        catch (IOException e) { _journalError = e.Message; }
    }

    public void Dispose()
    {
        // closing flushes what a failed write left in the buffers, and fails again: the job is over either way
        try { _journal?.Dispose(); }
        catch (IOException) { }
        try { _file?.Dispose(); }
        catch (IOException) { }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

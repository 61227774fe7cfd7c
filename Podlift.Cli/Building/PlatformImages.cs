using Podlift.Cli.Configuration;

namespace Podlift.Cli.Building;

/// <summary>
/// Sends each server the image of its platform under the one name the deploy gives it (myapp:abc1234). With one
/// platform that is the built image itself. With several, a server's turn first points the local name at its
/// platform's image (myapp:abc1234-arm64), and holds it so while its image is read: servers of one platform share a
/// turn, those of another wait for it to end. A `docker save` of the name then carries that image, named as the
/// server's agent expects.
/// </summary>
public sealed class PlatformImages(PlatformPlan plan, Func<string, string, CancellationToken, Task> tag)
{
    private readonly object _gate = new();
    private Platform? _holder;
    private int _holders;
    private Task _tagged = Task.CompletedTask;
    private TaskCompletionSource _free = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PlatformPlan Plan => plan;

    /// <summary>Until disposed, the deploy's image name is the server's platform's image in the local Docker.</summary>
    public async Task<IAsyncDisposable> TurnAsync(ServerConfig server, CancellationToken cancellationToken)
    {
        if (!plan.Mixed) return Turn.None;
        var platform = plan.For(server);
        while (true)
        {
            Task wait;
            bool joined;
            lock (_gate)
            {
                joined = _holder is null || _holder == platform;
                if (_holder is null)
                {
                    (_holder, _holders) = (platform, 1);
                    _tagged = tag(plan.LocalImage(platform), plan.Image, cancellationToken);
                }
                else if (joined)
                {
                    _holders++;
                }
                wait = joined ? _tagged : _free.Task;
            }
            if (joined) return await HeldAsync(wait);
            await wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The turn once the name points at the image; a tag that failed ends it at once.</summary>
    private async Task<IAsyncDisposable> HeldAsync(Task tagged)
    {
        try
        {
            await tagged;
            return new Turn(this);
        }
        catch
        {
            Leave();
            throw;
        }
    }

    private void Leave()
    {
        lock (_gate)
        {
            if (--_holders > 0) return;
            _holder = null;
            var free = _free;
            _free = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            free.SetResult();
        }
    }

    private sealed class Turn(PlatformImages? images) : IAsyncDisposable
    {
        public static readonly Turn None = new(null);
        private int _left;

        public ValueTask DisposeAsync()
        {
            if (images is not null && Interlocked.Exchange(ref _left, 1) == 0) images.Leave();
            return ValueTask.CompletedTask;
        }
    }
}

using System.Collections.Concurrent;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// Stores that outlived their segment's acknowledgement (long-tail cut-off). They hold private copies
/// of their fragments, bounded in bytes; <see cref="DrainAsync"/> waits for all of them.
/// </summary>
internal sealed class BackgroundStores(long maxBytes)
{
    private readonly ConcurrentDictionary<Task, long> _running = new();
    private readonly ByteBudget _bytes = new(maxBytes);
    private long _failed;

    public int Count => _running.Count;

    /// <summary>Stores that failed in the background: their segments are below full redundancy until repaired.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Reserves room for <paramref name="bytes"/> of copies; false when the budget is spent.</summary>
    public bool TryReserve(long bytes) => _bytes.TryReserve(bytes);

    public void Track(Task store, long bytes)
    {
        _running[store] = bytes;
        store.ContinueWith(
            t =>
            {
                if (t.IsFaulted || t.IsCanceled)
                {
                    Interlocked.Increment(ref _failed);
                }

                if (_running.TryRemove(t, out long held))
                {
                    _bytes.Release(held);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (!_running.IsEmpty)
        {
            try
            {
                await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Failures are counted in Failed; draining only waits.
            }
        }
    }
}

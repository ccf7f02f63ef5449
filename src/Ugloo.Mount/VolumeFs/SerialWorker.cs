using System.Collections.Concurrent;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// One thread of its own that runs queued work items one after another, with at most a fixed number waiting or
/// running: the segment cache's file writes (<see cref="SegmentCache.Add(Ugloo.Engine.Objects.ObjectManifest, int, SegmentBuffer)"/>).
/// </summary>
/// <remarks>
/// The writes block on the disk (direct I/O), so on the thread pool each one held a pool thread for the write's
/// whole duration, and up to eight ran at once. In a cold sequential read that took 15-30% off the read rate
/// against not writing the cache at all: the pool's threads were the ones the fetches' socket completions and the
/// FUSE replies needed, and eight writes queued at once on the disk the nodes read the fragments from. One
/// thread writing one file at a time gave back most of it (docs/BENCHMARKS.md "Session 9"). The thread starts
/// with the first item, so a cache that never writes costs no thread.
/// </remarks>
internal sealed class SerialWorker : IDisposable
{
    private readonly BlockingCollection<Action> _queue = [];
    private readonly string _name;
    private readonly int _capacity;
    private readonly Action<Exception> _failed;
    private readonly Lock _lock = new();
    private Thread? _thread;
    private int _pending;
    private TaskCompletionSource? _idle;
    private bool _disposed;

    /// <param name="name">The thread's name (shown by <c>top -H</c> and <c>perf</c>).</param>
    /// <param name="capacity">Most items waiting or running at once; <see cref="TryEnqueue"/> refuses beyond.</param>
    /// <param name="failed">Told of an exception an item let escape; the thread goes on with the next item (an exception <paramref name="failed"/> throws is dropped).</param>
    public SerialWorker(string name, int capacity, Action<Exception> failed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _name = name;
        _capacity = capacity;
        _failed = failed;
    }

    /// <summary>Items queued or running.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending;
            }
        }
    }

    /// <summary>Queues <paramref name="work"/>; false, and nothing queued, when the worker is full or disposed.</summary>
    public bool TryEnqueue(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_lock)
        {
            if (_disposed || _pending >= _capacity)
            {
                return false;
            }

            _pending++;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = _name };
                _thread.Start();
            }

            _queue.Add(work);
            return true;
        }
    }

    /// <summary>Completes once nothing is queued or running (at once when that is so already).</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            if (_pending == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    /// <summary>Refuses new items and waits for the queued ones to finish.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _queue.CompleteAdding();
            thread = _thread;
        }

        thread?.Join();
        _queue.Dispose();
    }

    private void Report(Exception e)
    {
        try
        {
            _failed(e);
        }
#pragma warning disable CA1031 // A reporter that throws must not end the thread either (an exception escaping a thread ends the process).
        catch (Exception reporterFailed) when (reporterFailed is not OutOfMemoryException)
#pragma warning restore CA1031
        {
        }
    }

    private void Run()
    {
        foreach (Action work in _queue.GetConsumingEnumerable())
        {
            try
            {
                work();
            }
#pragma warning disable CA1031 // One failed item must not end the thread, or every later item would wait forever.
            catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
            {
                Report(e);
            }
            finally
            {
                lock (_lock)
                {
                    if (--_pending == 0 && _idle is { } idle)
                    {
                        _idle = null;
                        idle.SetResult();
                    }
                }
            }
        }
    }
}

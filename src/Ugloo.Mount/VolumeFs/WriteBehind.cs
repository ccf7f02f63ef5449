using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// Sends the finished segments of a file being written front to back while the writer is still writing, so a
/// large copy's upload overlaps the copy instead of starting at its close or fsync. The file becomes one
/// object (<see cref="Id"/>, <see cref="Key"/>) whose segments are stored ahead under random generations; the
/// commit lists those still valid and writes the rest (<see cref="ObjectRevision.FromStored"/>).
/// </summary>
/// <remarks>
/// A segment is sent once the file has grown past its end (so it is full and not the last) and only while
/// writes follow each other; any later write or truncate that touches it drops what was sent (those fragments
/// stay unreferenced on the nodes). A send that fails is simply not used: the commit writes the segment. At most
/// <see cref="MaxInFlight"/> sends run per file; the writer never waits for them.
/// </remarks>
internal sealed class WriteBehind : IDisposable
{
    public const int MaxInFlight = 4;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, StoredSegment> _stored = [];
    private readonly Dictionary<int, int> _changes = [];
    private readonly Dictionary<int, Task> _inFlight = [];
    private readonly CancellationTokenSource _stop = new();
    private long _sequentialEnd;
    private int _next;
    private bool _disposed;

    /// <summary>For a file whose first <paramref name="written"/> bytes were written front to back from offset 0.</summary>
    public WriteBehind(int segmentSize, int dataFragments, int parityFragments, long written)
    {
        _sequentialEnd = written;
        SegmentSize = segmentSize;
        DataFragments = dataFragments;
        ParityFragments = parityFragments;
    }

    public ObjectId Id { get; } = ObjectId.New();

    /// <summary>Seals only under random non-zero generations, never generation 0.</summary>
    public ObjectKey Key { get; } = ObjectKey.Generate();

    public int SegmentSize { get; }

    public int DataFragments { get; }

    public int ParityFragments { get; }

    /// <summary>Segments sent so far and still valid.</summary>
    public int StoredCount
    {
        get
        {
            lock (_lock)
            {
                return _stored.Count;
            }
        }
    }

    /// <summary>Bytes [<paramref name="start"/>, <paramref name="end"/>) are about to change: what was sent of them is void.</summary>
    public void Changing(long start, long end)
    {
        if (end <= start)
        {
            return;
        }

        lock (_lock)
        {
            for (int i = (int)(start / SegmentSize); i <= (int)((end - 1) / SegmentSize); i++)
            {
                _changes[i] = _changes.GetValueOrDefault(i) + 1;
                _stored.Remove(i);
            }

            if (start != _sequentialEnd)
            {
                // Not front to back (any more): send nothing below this point again unless it is written anew.
                _next = Math.Max(_next, (int)(end / SegmentSize));
            }

            _sequentialEnd = end;
        }
    }

    /// <summary>
    /// After a write: starts sending the segments that are now complete. <paramref name="send"/> stores one
    /// segment of the file as it is at <paramref name="length"/> bytes.
    /// </summary>
    public void Written(long length, Func<int, long, CancellationToken, Task<StoredSegment?>> send)
    {
        lock (_lock)
        {
            while (!_disposed && _inFlight.Count < MaxInFlight && (long)(_next + 1) * SegmentSize < length && _next < _sequentialEnd / SegmentSize)
            {
                int segment = _next++;
                int changes = _changes.GetValueOrDefault(segment);
                _inFlight[segment] = RunAsync(segment, changes, length, send);
            }
        }
    }

    /// <summary>Waits for the sends under way and returns the valid ones.</summary>
    public async Task<IReadOnlyDictionary<int, StoredSegment>> FinishAsync(CancellationToken cancellationToken)
    {
        Task[] running;
        lock (_lock)
        {
            running = [.. _inFlight.Values];
        }

        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return new Dictionary<int, StoredSegment>(_stored);
        }
    }

    private async Task RunAsync(int segment, int changes, long length, Func<int, long, CancellationToken, Task<StoredSegment?>> send)
    {
        await Task.Yield();
        StoredSegment? stored = null;
        try
        {
            stored = await send(segment, length, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not used: the commit writes this segment itself.
        }

        lock (_lock)
        {
            _inFlight.Remove(segment);
            if (stored is not null && !_disposed && _changes.GetValueOrDefault(segment) == changes)
            {
                _stored[segment] = stored;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stop.Cancel();
        Key.Dispose();
        _stop.Dispose();
    }
}

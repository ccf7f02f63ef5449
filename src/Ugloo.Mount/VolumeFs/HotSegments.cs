using Ugloo.Engine.Objects;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// The memory tier of the <see cref="SegmentCache"/>: the most recently used decrypted segments, least recently
/// used dropped beyond a byte bound. It exists for packed small files: reading one opens a new handle on the
/// pack's segment, and without it every 4 KiB file read would reread and rehash a whole segment from disk. The
/// arrays are shared with the readers, who never write into them; the tier holds a reference to each
/// (<see cref="SegmentBuffer"/>) and releases it when it drops the segment.
/// </summary>
internal sealed class HotSegments
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ObjectId Id, int Segment, ulong Generation), LinkedListNode<(ObjectId Id, int Segment, ulong Generation, SegmentBuffer Data)>> _entries = [];
    private readonly LinkedList<(ObjectId Id, int Segment, ulong Generation, SegmentBuffer Data)> _order = new();
    private readonly long _maxBytes;
    private long _bytes;

    public HotSegments(long maxBytes)
    {
        _maxBytes = Math.Max(0, maxBytes);
    }

    /// <summary>The segment with a reference of the caller's own (to release), or null.</summary>
    public SegmentBuffer? TryGet(ObjectId id, int segment, ulong generation)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue((id, segment, generation), out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);

                // Under the lock: an eviction cannot release the tier's reference between lookup and retain.
                return node.Value.Data.Retain();
            }
        }

        return null;
    }

    /// <summary>Keeps <paramref name="data"/> (not copied) with a reference of its own; the caller keeps its own.</summary>
    public void Add(ObjectId id, int segment, ulong generation, SegmentBuffer data)
    {
        if (data.Length > _maxBytes)
        {
            return;
        }

        // Released outside the lock (a release may hand the array to the pool); most adds drop at most one.
        List<SegmentBuffer>? dropped = null;
        lock (_lock)
        {
            if (_entries.Remove((id, segment, generation), out var old))
            {
                _order.Remove(old);
                _bytes -= old.Value.Data.Length;
                (dropped ??= []).Add(old.Value.Data);
            }

            _entries[(id, segment, generation)] = _order.AddFirst((id, segment, generation, data.Retain()));
            _bytes += data.Length;
            while (_bytes > _maxBytes && _order.Last is { } last)
            {
                _order.RemoveLast();
                _entries.Remove((last.Value.Id, last.Value.Segment, last.Value.Generation));
                _bytes -= last.Value.Data.Length;
                (dropped ??= []).Add(last.Value.Data);
            }
        }

        foreach (SegmentBuffer buffer in dropped ?? [])
        {
            buffer.Release();
        }
    }
}

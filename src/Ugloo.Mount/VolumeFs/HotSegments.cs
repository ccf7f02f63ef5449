using Ugloo.Engine.Objects;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// The memory tier of the <see cref="SegmentCache"/>: the most recently used decrypted segments, least recently
/// used dropped beyond a byte bound. It exists for packed small files: reading one opens a new handle on the
/// pack's segment, and without it every 4 KiB file read would reread and rehash a whole segment from disk. The
/// arrays are shared with the readers, who never write into them.
/// </summary>
internal sealed class HotSegments
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ObjectId Id, int Segment, ulong Generation), LinkedListNode<(ObjectId Id, int Segment, ulong Generation, byte[] Data)>> _entries = [];
    private readonly LinkedList<(ObjectId Id, int Segment, ulong Generation, byte[] Data)> _order = new();
    private readonly long _maxBytes;
    private long _bytes;

    public HotSegments(long maxBytes)
    {
        _maxBytes = Math.Max(0, maxBytes);
    }

    public bool TryGet(ObjectId id, int segment, ulong generation, out byte[] data)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue((id, segment, generation), out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                data = node.Value.Data;
                return true;
            }
        }

        data = [];
        return false;
    }

    /// <summary>Keeps <paramref name="data"/> (not copied: the caller never writes into it again).</summary>
    public void Add(ObjectId id, int segment, ulong generation, byte[] data)
    {
        if (data.Length > _maxBytes)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.Remove((id, segment, generation), out var old))
            {
                _order.Remove(old);
                _bytes -= old.Value.Data.Length;
            }

            _entries[(id, segment, generation)] = _order.AddFirst((id, segment, generation, data));
            _bytes += data.Length;
            while (_bytes > _maxBytes && _order.Last is { } last)
            {
                _order.RemoveLast();
                _entries.Remove((last.Value.Id, last.Value.Segment, last.Value.Generation));
                _bytes -= last.Value.Data.Length;
            }
        }
    }
}

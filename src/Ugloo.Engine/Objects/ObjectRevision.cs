using Microsoft.Win32.SafeHandles;

namespace Ugloo.Engine.Objects;

/// <summary>
/// A new version of an object described against its base: the new content (a file read at the offsets of
/// the segments to rewrite), its length, and which segments are rewritten. Every other segment is the base's
/// segment at the same index, unchanged, so it must have the same plaintext length and the same "last
/// segment" flag in both (its seal covers both); <see cref="MustRewrite"/> says which segments cannot be
/// shared whatever their content.
/// </summary>
public sealed class ObjectRevision
{
    private readonly bool[] _rewrite;
    private readonly ObjectManifest? _base;
    private readonly IReadOnlyDictionary<int, StoredSegment>? _stored;
    private readonly bool _partial;

    /// <param name="baseManifest">The version the unchanged segments come from.</param>
    /// <param name="content">The new content; only the rewritten segments' ranges are read.</param>
    /// <param name="length">The new plaintext length.</param>
    /// <param name="rewrite">One flag per segment of the new layout (the base's segment size).</param>
    public ObjectRevision(ObjectManifest baseManifest, SafeFileHandle content, long length, bool[] rewrite)
        : this(baseManifest?.ObjectId ?? throw new ArgumentNullException(nameof(baseManifest)), baseManifest.SegmentSize, baseManifest.DataFragments, baseManifest.ParityFragments, content, length)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        int count = SegmentCount;
        if (rewrite.Length != count)
        {
            throw new ArgumentException($"Expected {count} rewrite flags for {length} bytes, got {rewrite.Length}.", nameof(rewrite));
        }

        for (int i = 0; i < count; i++)
        {
            if (!rewrite[i] && MustRewrite(baseManifest, length, i))
            {
                throw new ArgumentException($"Segment {i} cannot be shared with the base (it is new, or its length or last-segment flag changed).", nameof(rewrite));
            }
        }

        _base = baseManifest;
        _rewrite = (bool[])rewrite.Clone();
    }

    private ObjectRevision(ObjectId objectId, int segmentSize, int dataFragments, int parityFragments, SafeFileHandle content, long length, IReadOnlyDictionary<int, StoredSegment>? stored = null, IEnumerable<int>? only = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (segmentSize is < ObjectManifest.MinSegmentSize or > ObjectManifest.MaxSegmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(segmentSize));
        }

        if (length > (long)ObjectManifest.MaxSegmentCount * segmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"{length} bytes need more than {ObjectManifest.MaxSegmentCount} segments.");
        }

        ObjectId = objectId;
        SegmentSize = segmentSize;
        DataFragments = dataFragments;
        ParityFragments = parityFragments;
        Content = content;
        Length = length;
        int count = SegmentCount;
        _rewrite = new bool[count];
        if (only is not null)
        {
            _partial = true;
            foreach (int i in only)
            {
                _rewrite[i] = true;
            }
        }
        else if (stored is not null)
        {
            _stored = stored;
            for (int i = 0; i < count; i++)
            {
                _rewrite[i] = !stored.TryGetValue(i, out StoredSegment? segment)
                    || segment.PlaintextLength != SegmentLayout.PlaintextLength(length, segmentSize, i)
                    || segment.IsLast != (i == count - 1)
                    || segment.Ids.Length != dataFragments + parityFragments;
            }
        }
    }

    /// <summary>
    /// A new object's manifest made of segments stored ahead (<see cref="ObjectWriter.StoreSegmentsAsync"/>,
    /// under <paramref name="objectId"/> and one key) and the rest read from <paramref name="content"/>: a stored
    /// segment is listed where its length and last flag fit, every other segment is written.
    /// </summary>
    public static ObjectRevision FromStored(ObjectId objectId, int segmentSize, int dataFragments, int parityFragments, SafeFileHandle content, long length, IReadOnlyDictionary<int, StoredSegment> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return new ObjectRevision(objectId, segmentSize, dataFragments, parityFragments, content, length, stored);
    }

    /// <summary>Only the given segments of <paramref name="content"/>, to store ahead of a manifest.</summary>
    public static ObjectRevision Segments(ObjectId objectId, int segmentSize, int dataFragments, int parityFragments, SafeFileHandle content, long length, IEnumerable<int> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        return new ObjectRevision(objectId, segmentSize, dataFragments, parityFragments, content, length, only: segments);
    }

    public ObjectId ObjectId { get; }

    public int SegmentSize { get; }

    public int DataFragments { get; }

    public int ParityFragments { get; }

    public SafeFileHandle Content { get; }

    public long Length { get; }

    public int SegmentCount => SegmentLayout.SegmentCount(Length, SegmentSize);

    /// <summary>The base manifest, for a revision of a stored version.</summary>
    public ObjectManifest? Base => _base;

    /// <summary>Only some segments: stored, never made into a manifest.</summary>
    internal bool IsPartial => _partial;

    /// <summary>Segments stored anew.</summary>
    public int RewrittenCount => _rewrite.Count(r => r);

    public bool Rewrites(int segmentIndex) => _rewrite[segmentIndex];

    /// <summary>The fragment ids and generation of a segment that is not rewritten.</summary>
    internal ulong SharedGeneration(int segmentIndex) =>
        _base is not null ? _base.GetGeneration(segmentIndex) : Stored(segmentIndex).Generation;

    internal ReadOnlySpan<FragmentId> SharedIds(int segmentIndex) =>
        _base is not null ? _base.GetFragmentIds(segmentIndex) : Stored(segmentIndex).Ids;

    private StoredSegment Stored(int segmentIndex) =>
        _stored is not null && _stored.TryGetValue(segmentIndex, out StoredSegment? segment)
            ? segment
            : throw new InvalidOperationException($"Segment {segmentIndex} is neither written nor stored.");

    /// <summary>
    /// True when segment <paramref name="segmentIndex"/> of a <paramref name="length"/>-byte version cannot be
    /// the base's segment: the base has no such segment, or its plaintext length or its last flag differ.
    /// </summary>
    public static bool MustRewrite(ObjectManifest baseManifest, long length, int segmentIndex)
    {
        ArgumentNullException.ThrowIfNull(baseManifest);
        int count = SegmentLayout.SegmentCount(length, baseManifest.SegmentSize);
        return segmentIndex >= baseManifest.SegmentCount
            || baseManifest.PlaintextLength(segmentIndex) != SegmentLayout.PlaintextLength(length, baseManifest.SegmentSize, segmentIndex)
            || (segmentIndex == baseManifest.SegmentCount - 1) != (segmentIndex == count - 1);
    }
}

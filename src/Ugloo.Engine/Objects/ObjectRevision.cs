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

    /// <param name="baseManifest">The version the unchanged segments come from.</param>
    /// <param name="content">The new content; only the rewritten segments' ranges are read.</param>
    /// <param name="length">The new plaintext length.</param>
    /// <param name="rewrite">One flag per segment of the new layout (the base's segment size).</param>
    public ObjectRevision(ObjectManifest baseManifest, SafeFileHandle content, long length, bool[] rewrite)
    {
        ArgumentNullException.ThrowIfNull(baseManifest);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(rewrite);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > (long)ObjectManifest.MaxSegmentCount * baseManifest.SegmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"{length} bytes need more than {ObjectManifest.MaxSegmentCount} segments.");
        }

        int count = SegmentLayout.SegmentCount(length, baseManifest.SegmentSize);
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

        Base = baseManifest;
        Content = content;
        Length = length;
        _rewrite = (bool[])rewrite.Clone();
    }

    public ObjectManifest Base { get; }

    public SafeFileHandle Content { get; }

    public long Length { get; }

    /// <summary>Segments stored anew.</summary>
    public int RewrittenCount => _rewrite.Count(r => r);

    public bool Rewrites(int segmentIndex) => _rewrite[segmentIndex];

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

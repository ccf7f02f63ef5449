using Ugloo.Engine.Codec;
using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Objects;

/// <summary>
/// The public part of an object's record: everything nodes need to verify, place and repair its
/// fragments, and nothing secret (DESIGN.md invariant 1). Sizes are public by design. The object key
/// travels separately as a <see cref="WrappedObjectKey"/>. Immutable; segment i's n fragment ids are
/// listed in fragment order (0..k-1 data, k..n-1 parity). Serialization: see
/// <c>ObjectManifest.Serialization.cs</c>.
/// </summary>
public sealed partial class ObjectManifest
{
    /// <summary>Smallest segment size accepted (1 KiB): below it per-fragment overhead dominates.</summary>
    public const int MinSegmentSize = 1024;

    /// <summary>Largest segment size accepted (256 MiB), bounding the memory a reader allocates per segment.</summary>
    public const int MaxSegmentSize = 256 * 1024 * 1024;

    /// <summary>Most segments per object (2^24: 128 TiB at the default 8 MiB segments).</summary>
    public const int MaxSegmentCount = 1 << 24;

    private readonly FragmentId[] _fragmentIds;

    // Null when every segment is of generation 0 (an object as first written): the common case costs nothing.
    private readonly ulong[]? _generations;

    internal ObjectManifest(
        ObjectId objectId,
        CipherSuite cipherSuite,
        long plaintextSize,
        int segmentSize,
        int dataFragments,
        int parityFragments,
        int fragmentAlignment,
        FragmentId[] fragmentIds,
        ulong[]? generations = null)
    {
        ArgumentNullException.ThrowIfNull(fragmentIds);
        string? problem = Check(cipherSuite, plaintextSize, segmentSize, dataFragments, parityFragments, fragmentAlignment);
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }

        int segments = SegmentLayout.SegmentCount(plaintextSize, segmentSize);
        if (fragmentIds.Length != (long)segments * (dataFragments + parityFragments))
        {
            throw new ArgumentException($"Expected {segments} x {dataFragments + parityFragments} fragment ids, got {fragmentIds.Length}.", nameof(fragmentIds));
        }

        ObjectId = objectId;
        CipherSuite = cipherSuite;
        PlaintextSize = plaintextSize;
        SegmentSize = segmentSize;
        DataFragments = dataFragments;
        ParityFragments = parityFragments;
        FragmentAlignment = fragmentAlignment;
        SegmentCount = segments;
        _fragmentIds = fragmentIds;
        if (generations is not null)
        {
            if (generations.Length != segments)
            {
                throw new ArgumentException($"Expected {segments} segment generations, got {generations.Length}.", nameof(generations));
            }

            _generations = generations.All(g => g == 0) ? null : generations;
        }
    }

    public ObjectId ObjectId { get; }

    public CipherSuite CipherSuite { get; }

    /// <summary>Exact plaintext length in bytes (public: sizes are not secret in Ugloo).</summary>
    public long PlaintextSize { get; }

    /// <summary>Plaintext bytes per segment; the last segment may be shorter.</summary>
    public int SegmentSize { get; }

    /// <summary>k.</summary>
    public int DataFragments { get; }

    /// <summary>m.</summary>
    public int ParityFragments { get; }

    /// <summary>n = k + m.</summary>
    public int TotalFragments => DataFragments + ParityFragments;

    /// <summary>Fragment lengths are multiples of this many bytes.</summary>
    public int FragmentAlignment { get; }

    /// <summary>At least 1: an empty object has one empty sealed segment.</summary>
    public int SegmentCount { get; }

    /// <summary>Total stored bytes over all fragments (what the swarm holds for this object).</summary>
    public long StoredSize
    {
        get
        {
            long total = 0;
            for (int s = 0; s < SegmentCount; s++)
            {
                total += (long)FragmentLength(s) * TotalFragments;
            }

            return total;
        }
    }

    /// <summary>Offset of segment <paramref name="segmentIndex"/>'s first plaintext byte in the object.</summary>
    public long PlaintextOffset(int segmentIndex) => (long)CheckSegment(segmentIndex) * SegmentSize;

    public int PlaintextLength(int segmentIndex) => SegmentLayout.PlaintextLength(PlaintextSize, SegmentSize, CheckSegment(segmentIndex));

    /// <summary>Ciphertext + tag length of the segment; data fragments carry it followed by zero padding.</summary>
    public int SealedLength(int segmentIndex) => SegmentLayout.SealedLength(PlaintextLength(segmentIndex));

    /// <summary>The length of every fragment (data and parity) of the segment.</summary>
    public int FragmentLength(int segmentIndex) => SegmentLayout.FragmentLength(SealedLength(segmentIndex), DataFragments, FragmentAlignment);

    public FragmentId GetFragmentId(int segmentIndex, int fragmentIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fragmentIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fragmentIndex, TotalFragments);
        return _fragmentIds[(CheckSegment(segmentIndex) * TotalFragments) + fragmentIndex];
    }

    public FragmentId GetFragmentId(FragmentAddress address) => GetFragmentId(address.SegmentIndex, address.FragmentIndex);

    /// <summary>
    /// The generation segment <paramref name="segmentIndex"/> was sealed under: 0 for an object's first write,
    /// a random non-zero number for a segment a revision rewrote (<see cref="Crypto.SegmentCipher"/>). The
    /// segment's nonce and placement key include it.
    /// </summary>
    public ulong GetGeneration(int segmentIndex) => _generations?[CheckSegment(segmentIndex)] ?? 0;

    /// <summary>True when some segment was rewritten by a revision (the manifest needs format version 2).</summary>
    public bool HasRevisions => _generations is not null;

    /// <summary>The n ids of one segment, in fragment order.</summary>
    public ReadOnlySpan<FragmentId> GetFragmentIds(int segmentIndex) =>
        _fragmentIds.AsSpan(CheckSegment(segmentIndex) * TotalFragments, TotalFragments);

    /// <summary>Segments of a <paramref name="plaintextSize"/>-byte object cut into <paramref name="segmentSize"/> (at least 1).</summary>
    public static int SegmentCountFor(long plaintextSize, int segmentSize) => SegmentLayout.SegmentCount(plaintextSize, segmentSize);

    /// <summary>The segment holding plaintext byte <paramref name="offset"/>.</summary>
    public int SegmentOf(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return (int)Math.Min(offset / SegmentSize, SegmentCount - 1);
    }

    private int CheckSegment(int segmentIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(segmentIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(segmentIndex, SegmentCount);
        return segmentIndex;
    }

    private static string? Check(CipherSuite suite, long plaintextSize, int segmentSize, int k, int m, int alignment)
    {
        if (suite != CipherSuite.Aes256Gcm)
        {
            return $"Unknown cipher suite {(byte)suite}.";
        }

        if (segmentSize is < MinSegmentSize or > MaxSegmentSize)
        {
            return $"Segment size {segmentSize} is outside {MinSegmentSize}..{MaxSegmentSize}.";
        }

        if (k < 1 || m < 0 || k + m > ReedSolomon.MaxFragments)
        {
            return $"Invalid code k = {k}, m = {m}: need k >= 1, m >= 0, k + m <= {ReedSolomon.MaxFragments}.";
        }

        if (alignment is < 1 or > 4096 || (alignment & (alignment - 1)) != 0)
        {
            return $"Fragment alignment {alignment} is not a power of two in 1..4096.";
        }

        if (plaintextSize < 0 || plaintextSize > (long)MaxSegmentCount * segmentSize)
        {
            return $"Plaintext size {plaintextSize} is negative or needs more than {MaxSegmentCount} segments.";
        }

        return null;
    }
}

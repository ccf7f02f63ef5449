using Ugloo.Engine.Catalog;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// The stored version a staged file was opened over, and which of its segments the staged content still
/// shares. Opening a 10 GiB file to change 1 MiB copies nothing down: segments are fetched only when a write
/// covers part of one (or a length change alters one's seal), and the commit stores only the segments no longer
/// shared (<see cref="ObjectRevision"/>).
/// </summary>
/// <remarks>
/// Per segment i of the current content two flags: <c>shared</c> (its bytes equal the base's segment i, with the
/// same length and last flag, so a commit can reuse the base's fragments) and <c>local</c> (the staged file holds
/// its bytes). A segment that is neither shared nor local lies beyond the base and reads from the staged file
/// (written bytes or holes of zeros); shared and not local reads from the base. Not shared implies the staged
/// file holds the segment. Guarded by the node's I/O gate, except the key and reader, made once under a lock.
/// </remarks>
internal sealed class StagedBase : IDisposable
{
    private readonly Lock _lock = new();
    private readonly bool[] _shared;
    private readonly bool[] _local;
    private ObjectKey? _key;
    private ObjectReader? _reader;
    private int _cachedSegment = -1;
    private byte[]? _cachedData;
    private bool _disposed;

    public StagedBase(CatalogVersion version, ObjectManifest manifest, bool[] shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        if (shared.Length != manifest.SegmentCount)
        {
            throw new ArgumentException($"{shared.Length} flags for {manifest.SegmentCount} segments.", nameof(shared));
        }

        Version = version;
        Manifest = manifest;
        _shared = (bool[])shared.Clone();
        _local = new bool[shared.Length];
    }

    public CatalogVersion Version { get; }

    public ObjectManifest Manifest { get; }

    public int SegmentSize => Manifest.SegmentSize;

    public int SharedCount => _shared.Count(s => s);

    public static StagedBase AllShared(CatalogVersion version, ObjectManifest manifest) =>
        new(version, manifest, [.. Enumerable.Repeat(true, manifest.SegmentCount)]);

    /// <summary>The segment's bytes equal the base's.</summary>
    public bool IsShared(int segment) => segment < _shared.Length && _shared[segment];

    /// <summary>The segment must be read from the base: shared and not in the staged file.</summary>
    public bool ReadsFromBase(int segment) => IsShared(segment) && !_local[segment];

    /// <summary>The staged file now holds the segment's bytes (fetched from the base).</summary>
    public void MarkLocal(int segment) => _local[segment] = true;

    /// <summary>The segment's bytes are about to differ from the base's (or it is cut off).</summary>
    public void Unshare(int segment)
    {
        if (segment < _shared.Length)
        {
            _shared[segment] = false;
            _local[segment] = true;
            if (_cachedSegment == segment)
            {
                _cachedSegment = -1;
            }
        }
    }

    /// <summary>
    /// After <paramref name="version"/> was stored from a staged copy: every segment of the copy is now shared with
    /// it, and the segments the copy held stay local (read from disk, not fetched).
    /// </summary>
    public static StagedBase Rebase(CatalogVersion version, ObjectManifest manifest, StagedBase? old)
    {
        var rebased = AllShared(version, manifest);
        for (int i = 0; i < rebased._local.Length; i++)
        {
            rebased._local[i] = old is null || i >= old._shared.Length || old._local[i] || !old._shared[i];
        }

        return rebased;
    }

    /// <summary>The same base and shared segments, for a new staged copy of a queued one (nothing local yet).</summary>
    public StagedBase Clone() => new(Version, Manifest, _shared);

    /// <summary>The shared flags as a bitmap (bit i of byte i / 8 = segment i), as the journal keeps them.</summary>
    public byte[] SharedBitmap()
    {
        byte[] bitmap = new byte[(_shared.Length + 7) / 8];
        for (int i = 0; i < _shared.Length; i++)
        {
            if (_shared[i])
            {
                bitmap[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return bitmap;
    }

    public static bool[] FromBitmap(byte[] bitmap, int segments)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        if (bitmap.Length != (segments + 7) / 8)
        {
            throw new FormatException($"A shared-segment bitmap of {bitmap.Length} bytes does not fit {segments} segments.");
        }

        return [.. Enumerable.Range(0, segments).Select(i => (bitmap[i / 8] & (1 << (i % 8))) != 0)];
    }

    /// <summary>The base's key and reader, made on first use by <paramref name="open"/>.</summary>
    public (ObjectKey Key, ObjectReader Reader) Open(Func<(ObjectKey, ObjectReader)> open)
    {
        lock (_lock)
        {
            // A queued copy recorded meanwhile is disposed: its reader must not make a key nobody wipes.
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_key is null || _reader is null)
            {
                (_key, _reader) = open();
            }

            return (_key, _reader);
        }
    }

    /// <summary>The last base segment fetched, kept for the next small read of the same segment.</summary>
    public bool TryGetCached(int segment, out byte[] data)
    {
        data = _cachedData!;
        return segment == _cachedSegment && data is not null;
    }

    /// <summary>
    /// Keeps <paramref name="data"/> as the last base segment fetched. It takes over the caller's reference and
    /// never releases it: readers here use the array without one, so it must never go back to the pool.
    /// </summary>
    public void SetCached(int segment, SegmentBuffer data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _cachedData = data.Array;
        _cachedSegment = segment;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _key?.Dispose();
            _key = null;
            _reader = null;
        }

        _cachedData = null;
        _cachedSegment = -1;
    }
}

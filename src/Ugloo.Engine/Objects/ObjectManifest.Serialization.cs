using System.Buffers.Binary;
using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Objects;

/// <summary>
/// Binary form of the public manifest, big-endian, version 1 (every segment of generation 0) or 2:
/// <code>
/// offset size field
///      0    4 magic "UGOM"
///      4    1 format version (1)
///      5    1 cipher suite id (1 = AES-256-GCM)
///      6   16 object id
///     22    8 plaintext size, u64
///     30    4 segment size, u32
///     34    1 k (data fragments)
///     35    1 m (parity fragments)
///     36    2 fragment alignment, u16
///     38    4 segment count, u32 (derivable; stored so a damaged size field is caught)
///     42  ... version 2 only: segment count x 8 bytes, each segment's generation (u64)
///    ...  ... segment count x (k + m) fragment ids of 32 bytes, segment-major, fragment order
/// </code>
/// A manifest whose segments are all of generation 0 is written as version 1, byte for byte what it was
/// before revisions existed; version 2 appears only once a revision rewrote some segments.
/// Per-segment sealed and fragment lengths follow from these fields (<see cref="SegmentLayout"/>), so
/// they are not stored. Nodes parse this from untrusted peers: every field is range-checked and the id
/// table's length is compared with the remaining bytes before anything is allocated.
/// </summary>
public sealed partial class ObjectManifest
{
    public const byte CurrentVersion = 2;
    public const int HeaderLength = 42;
    private const int GenerationSize = 8;

    private static ReadOnlySpan<byte> Magic => "UGOM"u8;

    /// <summary>Length of <see cref="Serialize"/>'s output.</summary>
    public int SerializedLength => checked(HeaderLength + (_generations is null ? 0 : SegmentCount * GenerationSize) + (_fragmentIds.Length * FragmentId.Size));

    public byte[] Serialize()
    {
        byte[] bytes = new byte[SerializedLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Writes the binary form; returns the bytes written.</summary>
    public int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"Need {length} bytes, got {destination.Length}.", nameof(destination));
        }

        Magic.CopyTo(destination);
        destination[4] = _generations is null ? (byte)1 : (byte)2;
        destination[5] = (byte)CipherSuite;
        ObjectId.WriteTo(destination[6..]);
        BinaryPrimitives.WriteUInt64BigEndian(destination[22..], (ulong)PlaintextSize);
        BinaryPrimitives.WriteUInt32BigEndian(destination[30..], (uint)SegmentSize);
        destination[34] = (byte)DataFragments;
        destination[35] = (byte)ParityFragments;
        BinaryPrimitives.WriteUInt16BigEndian(destination[36..], (ushort)FragmentAlignment);
        BinaryPrimitives.WriteUInt32BigEndian(destination[38..], (uint)SegmentCount);
        Span<byte> ids = destination[HeaderLength..];
        if (_generations is not null)
        {
            for (int s = 0; s < _generations.Length; s++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(ids[(s * GenerationSize)..], _generations[s]);
            }

            ids = ids[(_generations.Length * GenerationSize)..];
        }

        for (int i = 0; i < _fragmentIds.Length; i++)
        {
            _fragmentIds[i].WriteTo(ids.Slice(i * FragmentId.Size, FragmentId.Size));
        }

        return length;
    }

    /// <summary>
    /// Parses a manifest from untrusted bytes. Throws <see cref="FormatException"/> for anything malformed,
    /// truncated, oversized or inconsistent; never allocates more than the input justifies.
    /// </summary>
    public static ObjectManifest Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderLength)
        {
            throw new FormatException($"A manifest has a {HeaderLength}-byte header; got {bytes.Length} bytes.");
        }

        if (!bytes[..4].SequenceEqual(Magic))
        {
            throw new FormatException("Not an object manifest (bad magic).");
        }

        byte format = bytes[4];
        if (format is not 1 and not 2)
        {
            throw new FormatException($"Unsupported manifest version {bytes[4]}.");
        }

        var suite = (CipherSuite)bytes[5];
        var objectId = new ObjectId(bytes.Slice(6, ObjectId.Size));
        ulong size = BinaryPrimitives.ReadUInt64BigEndian(bytes[22..]);
        uint segmentSize = BinaryPrimitives.ReadUInt32BigEndian(bytes[30..]);
        int k = bytes[34];
        int m = bytes[35];
        int alignment = BinaryPrimitives.ReadUInt16BigEndian(bytes[36..]);
        uint storedCount = BinaryPrimitives.ReadUInt32BigEndian(bytes[38..]);

        if (size > long.MaxValue || segmentSize > MaxSegmentSize)
        {
            throw new FormatException($"Manifest sizes out of range (plaintext {size}, segment {segmentSize}).");
        }

        string? problem = Check(suite, (long)size, (int)segmentSize, k, m, alignment);
        if (problem is not null)
        {
            throw new FormatException("Invalid manifest: " + problem);
        }

        int segments = SegmentLayout.SegmentCount((long)size, (int)segmentSize);
        if (storedCount != (uint)segments)
        {
            throw new FormatException($"Manifest says {storedCount} segments but its sizes give {segments}.");
        }

        long expectedIds = (long)segments * (k + m);
        long generationBytes = format == 2 ? (long)segments * GenerationSize : 0;
        long remaining = bytes.Length - HeaderLength;
        if (remaining != generationBytes + (expectedIds * FragmentId.Size))
        {
            throw new FormatException($"Manifest needs {generationBytes + (expectedIds * FragmentId.Size)} bytes of segment generations and fragment ids after the header; has {remaining} (truncated or trailing bytes).");
        }

        ulong[]? generations = null;
        ReadOnlySpan<byte> table = bytes[HeaderLength..];
        if (format == 2)
        {
            generations = new ulong[segments];
            for (int s = 0; s < segments; s++)
            {
                generations[s] = BinaryPrimitives.ReadUInt64BigEndian(table[(s * GenerationSize)..]);
            }

            table = table[(int)generationBytes..];
        }

        var ids = new FragmentId[expectedIds];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = new FragmentId(table.Slice(i * FragmentId.Size, FragmentId.Size));
        }

        return new ObjectManifest(objectId, suite, (long)size, (int)segmentSize, k, m, alignment, ids, generations);
    }
}

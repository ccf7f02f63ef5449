using System.Buffers.Binary;
using System.Security.Cryptography;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// The key placement hashes for one segment: SHA-256("ugloo-segment-v1" || object id || segment index BE32)
/// for a segment of generation 0, SHA-256("ugloo-segment-v2" || object id || segment index BE32 ||
/// generation BE64) for one a revision rewrote (so the old and the new segment at one index are two
/// segments to the nodes, each with its own record and repair). Every part is in the public manifest, so a
/// node can compute where a segment's fragments belong without any secret (repair needs exactly that).
/// </summary>
public static class SegmentKey
{
    public static byte[] Compute(ObjectManifest manifest, int segmentIndex)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return Compute(manifest.ObjectId, segmentIndex, manifest.GetGeneration(segmentIndex));
    }

    public static byte[] Compute(ObjectId objectId, int segmentIndex, ulong generation)
    {
        if (generation == 0)
        {
            return Compute(objectId, segmentIndex);
        }

        Span<byte> input = stackalloc byte[16 + ObjectId.Size + 4 + 8];
        "ugloo-segment-v2"u8.CopyTo(input);
        objectId.WriteTo(input[16..]);
        BinaryPrimitives.WriteInt32BigEndian(input[(16 + ObjectId.Size)..], segmentIndex);
        BinaryPrimitives.WriteUInt64BigEndian(input[(16 + ObjectId.Size + 4)..], generation);
        return SHA256.HashData(input);
    }

    public static byte[] Compute(ObjectId objectId, int segmentIndex)
    {
        Span<byte> input = stackalloc byte[16 + ObjectId.Size + 4];
        "ugloo-segment-v1"u8.CopyTo(input);
        objectId.WriteTo(input[16..]);
        BinaryPrimitives.WriteInt32BigEndian(input[(16 + ObjectId.Size)..], segmentIndex);
        return SHA256.HashData(input);
    }
}

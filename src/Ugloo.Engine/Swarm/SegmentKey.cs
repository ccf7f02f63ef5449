using System.Buffers.Binary;
using System.Security.Cryptography;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// The key placement hashes for one segment: SHA-256("ugloo-segment-v1" || object id || segment index BE32).
/// Both parts are in the public manifest, so a node can compute where a segment's fragments belong
/// without any secret (repair needs exactly that).
/// </summary>
public static class SegmentKey
{
    public static byte[] Compute(ObjectId objectId, int segmentIndex)
    {
        Span<byte> input = stackalloc byte[16 + ObjectId.Size + 4];
        "ugloo-segment-v1"u8.CopyTo(input);
        objectId.WriteTo(input[16..]);
        BinaryPrimitives.WriteInt32BigEndian(input[(16 + ObjectId.Size)..], segmentIndex);
        return SHA256.HashData(input);
    }
}

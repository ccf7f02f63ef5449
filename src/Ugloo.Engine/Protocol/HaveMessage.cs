using System.Buffers.Binary;

namespace Ugloo.Engine.Protocol;

/// <summary>BEP 3 have: <c>&lt;len=0005&gt;&lt;id=4&gt;&lt;piece index: uint32 BE&gt;</c>.</summary>
internal readonly record struct HaveMessage(uint PieceIndex) : IPeerMessage
{
    public int WireLength => PeerWire.PrefixLength + 5;

    public void Encode(Span<byte> destination)
    {
        Span<byte> payload = PeerWire.WriteHeader(destination, 4, PeerMessageId.Have);
        BinaryPrimitives.WriteUInt32BigEndian(payload, PieceIndex);
    }
}

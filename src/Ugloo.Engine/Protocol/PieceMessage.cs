using System.Buffers.Binary;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// BEP 3 piece: <c>&lt;len=0009+X&gt;&lt;id=7&gt;&lt;index: uint32&gt;&lt;begin: uint32&gt;&lt;block: X bytes&gt;</c>.
/// </summary>
internal readonly record struct PieceMessage(uint Index, uint Begin, ReadOnlyMemory<byte> Block) : IPeerMessage
{
    public int WireLength => PeerWire.PrefixLength + PeerWireLimits.PieceHeaderLength + Block.Length;

    public void Encode(Span<byte> destination)
    {
        Span<byte> payload = PeerWire.WriteHeader(destination, 8 + Block.Length, PeerMessageId.Piece);
        BinaryPrimitives.WriteUInt32BigEndian(payload, Index);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], Begin);
        Block.Span.CopyTo(payload[8..]);
    }
}

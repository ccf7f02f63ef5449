using System.Buffers.Binary;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// BEP 3 request (6) and cancel (8), BEP 6 reject-request (0x10): same layout,
/// <c>&lt;len=0013&gt;&lt;id&gt;&lt;index: uint32&gt;&lt;begin: uint32&gt;&lt;length: uint32&gt;</c>, big-endian.
/// </summary>
internal readonly record struct RequestMessage : IPeerMessage
{
    public RequestMessage(PeerMessageId id, uint index, uint begin, uint length)
    {
        if (id is not (PeerMessageId.Request or PeerMessageId.Cancel or PeerMessageId.RejectRequest))
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "Not a request-shaped message.");
        }

        Id = id;
        Index = index;
        Begin = begin;
        Length = length;
    }

    public PeerMessageId Id { get; }

    public uint Index { get; }

    public uint Begin { get; }

    public uint Length { get; }

    public int WireLength => PeerWire.PrefixLength + 13;

    public static RequestMessage Request(uint index, uint begin, uint length) => new(PeerMessageId.Request, index, begin, length);

    public static RequestMessage Cancel(uint index, uint begin, uint length) => new(PeerMessageId.Cancel, index, begin, length);

    public void Encode(Span<byte> destination)
    {
        Span<byte> payload = PeerWire.WriteHeader(destination, 12, Id);
        BinaryPrimitives.WriteUInt32BigEndian(payload, Index);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], Begin);
        BinaryPrimitives.WriteUInt32BigEndian(payload[8..], Length);
    }
}

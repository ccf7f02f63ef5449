namespace Ugloo.Engine.Protocol;

/// <summary>
/// BEP 3 bitfield: <c>&lt;len=0001+X&gt;&lt;id=5&gt;&lt;bitfield: X bytes&gt;</c>; the high bit of the first
/// byte is piece 0, spare bits at the end are zero.
/// </summary>
internal readonly record struct BitfieldMessage(ReadOnlyMemory<byte> Bits) : IPeerMessage
{
    public int WireLength => PeerWire.PrefixLength + 1 + Bits.Length;

    public void Encode(Span<byte> destination)
    {
        Span<byte> payload = PeerWire.WriteHeader(destination, Bits.Length, PeerMessageId.Bitfield);
        Bits.Span.CopyTo(payload);
    }
}

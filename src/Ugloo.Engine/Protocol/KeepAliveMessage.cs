namespace Ugloo.Engine.Protocol;

/// <summary>BEP 3 keep-alive: a zero length prefix and nothing else.</summary>
internal readonly struct KeepAliveMessage : IPeerMessage
{
    public int WireLength => PeerWire.PrefixLength;

    public void Encode(Span<byte> destination) => destination[..PeerWire.PrefixLength].Clear();
}

using System.Buffers.Binary;

namespace Ugloo.Engine.Protocol;

/// <summary>BEP 5 port: <c>&lt;len=0003&gt;&lt;id=9&gt;&lt;listen-port: uint16 BE&gt;</c>, the sender's DHT UDP port.</summary>
internal readonly record struct PortMessage(ushort Port) : IPeerMessage
{
    public int WireLength => PeerWire.PrefixLength + 3;

    public void Encode(Span<byte> destination)
    {
        Span<byte> payload = PeerWire.WriteHeader(destination, 2, PeerMessageId.Port);
        BinaryPrimitives.WriteUInt16BigEndian(payload, Port);
    }
}

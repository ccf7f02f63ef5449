namespace Ugloo.Engine.Protocol;

/// <summary>
/// A message with no payload: <c>&lt;len=0001&gt;&lt;id&gt;</c>. BEP 3 choke (0), unchoke (1),
/// interested (2), not interested (3); BEP 6 have-all (0x0E), have-none (0x0F).
/// </summary>
internal readonly struct StateMessage : IPeerMessage
{
    public StateMessage(PeerMessageId id)
    {
        if (id is not (PeerMessageId.Choke or PeerMessageId.Unchoke or PeerMessageId.Interested
            or PeerMessageId.NotInterested or PeerMessageId.HaveAll or PeerMessageId.HaveNone))
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "Not a payload-less message.");
        }

        Id = id;
    }

    public PeerMessageId Id { get; }

    public int WireLength => PeerWire.PrefixLength + 1;

    public void Encode(Span<byte> destination) => PeerWire.WriteHeader(destination, 0, Id);
}

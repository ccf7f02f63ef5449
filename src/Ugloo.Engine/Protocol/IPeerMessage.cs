namespace Ugloo.Engine.Protocol;

/// <summary>
/// A message that can frame itself: BEP 3 "all later integers sent in the protocol are encoded as
/// four bytes big-endian"; every message is <c>&lt;length prefix: uint32 BE&gt;&lt;id: 1 byte&gt;&lt;payload&gt;</c>,
/// where the prefix counts the id and payload (0 for keep-alive, which has no id).
/// </summary>
internal interface IPeerMessage
{
    /// <summary>Total bytes on the wire, length prefix included.</summary>
    public int WireLength { get; }

    /// <summary>Writes exactly <see cref="WireLength"/> bytes to the start of <paramref name="destination"/>.</summary>
    public void Encode(Span<byte> destination);
}

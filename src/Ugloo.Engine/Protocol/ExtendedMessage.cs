namespace Ugloo.Engine.Protocol;

/// <summary>
/// BEP 10 extended message: <c>&lt;len&gt;&lt;id=20&gt;&lt;extended id: 1 byte&gt;&lt;payload&gt;</c>. Extended id 0 is
/// the extended handshake; other ids are the ones the <em>receiver</em> assigned in its handshake's
/// "m" dictionary. For encoding, the payload is given as two parts (a bencoded header and raw
/// data, the shape of BEP 9's ut_metadata and of every DeepTorrent message) so that a 1 MiB chunk
/// is copied once, straight into the send buffer.
/// </summary>
internal readonly struct ExtendedMessage : IPeerMessage
{
    public ExtendedMessage(byte extendedId, ReadOnlyMemory<byte> payload)
        : this(extendedId, payload, default)
    {
    }

    public ExtendedMessage(byte extendedId, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> data)
    {
        ExtendedId = extendedId;
        Header = header;
        Data = data;
    }

    /// <summary>BEP 10: extended message id 0 is the handshake.</summary>
    public const byte HandshakeId = 0;

    public byte ExtendedId { get; }

    /// <summary>First part of the payload; for a decoded message, the whole payload.</summary>
    public ReadOnlyMemory<byte> Header { get; }

    /// <summary>Second part of the payload (empty for a decoded message).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The payload of a decoded message (header and data are one span then).</summary>
    public ReadOnlyMemory<byte> Payload => Data.IsEmpty ? Header : throw new InvalidOperationException("A two-part message has no single payload.");

    public int WireLength => PeerWire.PrefixLength + 2 + Header.Length + Data.Length;

    public void Encode(Span<byte> destination)
    {
        EncodeHead(destination);
        Data.Span.CopyTo(destination[(WireLength - Data.Length)..]);
    }

    /// <summary>Encodes everything but the data part: the first <c>WireLength - Data.Length</c> bytes.</summary>
    public void EncodeHead(Span<byte> destination)
    {
        Span<byte> payload = PeerWire.WriteHeader(destination, 1 + Header.Length + Data.Length, PeerMessageId.Extended);
        payload[0] = ExtendedId;
        Header.Span.CopyTo(payload[1..]);
    }
}

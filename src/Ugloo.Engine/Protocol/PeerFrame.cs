using System.Buffers.Binary;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// One received message: its id and its payload (the bytes after the id). The payload lies in the
/// reader's buffer and is valid only until the next read on that reader: handlers that keep data
/// copy it. The reader has already checked the length rules of <see cref="PeerWire"/>, so the typed
/// accessors below cannot read out of range.
/// </summary>
internal readonly struct PeerFrame
{
    public PeerFrame(PeerMessageId id, ReadOnlyMemory<byte> payload)
    {
        Id = id;
        Payload = payload;
        IsKeepAlive = false;
    }

    private PeerFrame(bool keepAlive)
    {
        IsKeepAlive = keepAlive;
    }

    public static PeerFrame KeepAlive => new(keepAlive: true);

    public bool IsKeepAlive { get; }

    /// <summary>The message id; meaningless for a keep-alive.</summary>
    public PeerMessageId Id { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>have / suggest / allowed-fast: <c>&lt;index: uint32&gt;</c>.</summary>
    public HaveMessage AsHave()
    {
        Expect(PeerMessageId.Have, PeerMessageId.SuggestPiece, PeerMessageId.AllowedFast);
        return new HaveMessage(BinaryPrimitives.ReadUInt32BigEndian(Payload.Span));
    }

    public BitfieldMessage AsBitfield()
    {
        Expect(PeerMessageId.Bitfield, PeerMessageId.Bitfield, PeerMessageId.Bitfield);
        return new BitfieldMessage(Payload);
    }

    /// <summary>request / cancel / reject-request: <c>&lt;index&gt;&lt;begin&gt;&lt;length&gt;</c>, uint32 each.</summary>
    public RequestMessage AsRequest()
    {
        Expect(PeerMessageId.Request, PeerMessageId.Cancel, PeerMessageId.RejectRequest);
        ReadOnlySpan<byte> p = Payload.Span;
        return new RequestMessage(Id, BinaryPrimitives.ReadUInt32BigEndian(p), BinaryPrimitives.ReadUInt32BigEndian(p[4..]), BinaryPrimitives.ReadUInt32BigEndian(p[8..]));
    }

    /// <summary>piece: <c>&lt;index&gt;&lt;begin&gt;&lt;block&gt;</c>.</summary>
    public PieceMessage AsPiece()
    {
        Expect(PeerMessageId.Piece, PeerMessageId.Piece, PeerMessageId.Piece);
        ReadOnlySpan<byte> p = Payload.Span;
        return new PieceMessage(BinaryPrimitives.ReadUInt32BigEndian(p), BinaryPrimitives.ReadUInt32BigEndian(p[4..]), Payload[8..]);
    }

    /// <summary>port (BEP 5): <c>&lt;listen-port: uint16&gt;</c>.</summary>
    public PortMessage AsPort()
    {
        Expect(PeerMessageId.Port, PeerMessageId.Port, PeerMessageId.Port);
        return new PortMessage(BinaryPrimitives.ReadUInt16BigEndian(Payload.Span));
    }

    /// <summary>extended (BEP 10): <c>&lt;extended id: 1 byte&gt;&lt;payload&gt;</c>.</summary>
    public ExtendedMessage AsExtended()
    {
        Expect(PeerMessageId.Extended, PeerMessageId.Extended, PeerMessageId.Extended);
        return new ExtendedMessage(Payload.Span[0], Payload[1..]);
    }

    public override string ToString() => IsKeepAlive ? "keep-alive" : $"{Id} ({Payload.Length} bytes)";

    private void Expect(PeerMessageId a, PeerMessageId b, PeerMessageId c)
    {
        if (IsKeepAlive || (Id != a && Id != b && Id != c))
        {
            throw new InvalidOperationException($"Frame is {this}, not {a}.");
        }
    }
}

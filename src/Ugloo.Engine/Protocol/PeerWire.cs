using System.Buffers.Binary;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// Framing primitives of the BEP 3 peer wire: the 4-byte big-endian length prefix and the per-id
/// length rules. <see cref="TryParseFrame"/> is the one place that decides whether a frame is
/// acceptable, so the stream reader and any other transport share it.
/// </summary>
internal static class PeerWire
{
    public const int PrefixLength = 4;

    /// <summary>Writes the length prefix and the id; returns the span after them.</summary>
    public static Span<byte> WriteHeader(Span<byte> destination, int payloadLength, PeerMessageId id)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(payloadLength + 1));
        destination[PrefixLength] = (byte)id;
        return destination[(PrefixLength + 1)..];
    }

    /// <summary>
    /// Parses the frame at the start of <paramref name="buffer"/>; on success the frame's payload is a
    /// slice of <paramref name="buffer"/> and <paramref name="consumed"/> its total length.
    /// </summary>
    public static bool TryReadFrame(ReadOnlyMemory<byte> buffer, PeerWireLimits limits, out PeerFrame frame, out int consumed)
    {
        if (!TryParseFrame(buffer.Span, limits, out PeerFrame header, out consumed))
        {
            frame = default;
            return false;
        }

        frame = header.IsKeepAlive ? header : new PeerFrame(header.Id, buffer[(PrefixLength + 1)..consumed]);
        return true;
    }

    /// <summary>
    /// Checks the frame at the start of <paramref name="buffer"/>. Returns false when more bytes are
    /// needed; <paramref name="needed"/> then says how many bytes the frame (or its header) needs in
    /// total, and it never exceeds <c>4 + limits.MaxFrameLength</c>. Throws
    /// <see cref="PeerProtocolException"/> as soon as the prefix or id is unacceptable, before any
    /// payload is buffered. On success <paramref name="needed"/> is the frame's total length.
    /// </summary>
    public static bool TryParseFrame(ReadOnlySpan<byte> buffer, PeerWireLimits limits, out PeerFrame frameHeader, out int needed)
    {
        frameHeader = default;
        if (buffer.Length < PrefixLength)
        {
            needed = PrefixLength;
            return false;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        if (length == 0)
        {
            // BEP 3: "Keepalives are sent as a length prefix of zero".
            needed = PrefixLength;
            frameHeader = PeerFrame.KeepAlive;
            return true;
        }

        if (length > (uint)limits.MaxFrameLength)
        {
            throw new PeerProtocolException($"Message length {length} exceeds the limit of {limits.MaxFrameLength}.");
        }

        if (buffer.Length < PrefixLength + 1)
        {
            needed = PrefixLength + 1;
            return false;
        }

        var id = (PeerMessageId)buffer[PrefixLength];
        CheckLength(id, (int)length, limits);
        needed = PrefixLength + (int)length;
        if (buffer.Length < needed)
        {
            return false;
        }

        ReadOnlySpan<byte> payload = buffer.Slice(PrefixLength + 1, (int)length - 1);
        if (id is PeerMessageId.Request or PeerMessageId.Cancel or PeerMessageId.RejectRequest)
        {
            // BEP 3 practice: requests above 16 KiB are refused, and a zero-length request is nonsense.
            uint blockLength = BinaryPrimitives.ReadUInt32BigEndian(payload[8..]);
            if (blockLength == 0 || blockLength > (uint)limits.MaxBlockLength)
            {
                throw new PeerProtocolException($"{id} for {blockLength} bytes; the limit is {limits.MaxBlockLength}.");
            }
        }

        frameHeader = new PeerFrame(id, default);
        return true;
    }

    /// <summary>
    /// Length rule per id; <paramref name="length"/> is the prefix value (id byte + payload).
    /// Unknown ids are accepted up to <see cref="PeerWireLimits.MaxMessageLength"/> and ignored by
    /// handlers, as BEP 10 expects of unknown extensions.
    /// </summary>
    private static void CheckLength(PeerMessageId id, int length, PeerWireLimits limits)
    {
        bool ok = id switch
        {
            PeerMessageId.Choke or PeerMessageId.Unchoke or PeerMessageId.Interested or PeerMessageId.NotInterested
                or PeerMessageId.HaveAll or PeerMessageId.HaveNone => length == 1,
            PeerMessageId.Have or PeerMessageId.SuggestPiece or PeerMessageId.AllowedFast => length == 5,
            PeerMessageId.Bitfield => length >= 1 && length - 1 <= limits.MaxBitfieldLength,
            PeerMessageId.Request or PeerMessageId.Cancel or PeerMessageId.RejectRequest => length == 13,
            PeerMessageId.Piece => length >= PeerWireLimits.PieceHeaderLength && length - PeerWireLimits.PieceHeaderLength <= limits.MaxBlockLength,
            PeerMessageId.Port => length == 3,
            PeerMessageId.Extended => length >= 2 && length <= limits.MaxExtendedMessageLength,
            _ => length <= limits.MaxMessageLength,
        };
        if (!ok)
        {
            throw new PeerProtocolException($"Message {id} with length prefix {length} is malformed or too large.");
        }
    }
}

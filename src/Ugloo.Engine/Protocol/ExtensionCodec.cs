using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// Encodes DeepTorrent messages into BEP 10 extended messages and back, and holds the field
/// readers that turn a missing or ill-typed header field into a <see cref="PeerProtocolException"/>.
/// </summary>
internal static class ExtensionCodec
{
    /// <summary>Fragment ids, node ids and manifest ids are all 32 bytes.</summary>
    public const int IdLength = 32;

    /// <summary>Limits for the bencoded header of an extended message: small and shallow.</summary>
    public static BencodeOptions HeaderOptions { get; } = new()
    {
        MaxDepth = 4,
        MaxStringLength = 1 << 20, // a have list of 32 Ki ids
        MaxItems = 50_000,
        MaxInputLength = int.MaxValue, // the frame limit already bounds it
    };

    /// <summary>Frames <paramref name="message"/> with the extended id the peer assigned to its name.</summary>
    public static ExtendedMessage Encode<T>(T message, byte remoteExtendedId)
        where T : IExtensionMessage<T>
    {
        ArgumentNullException.ThrowIfNull(message);
        if (remoteExtendedId == ExtendedMessage.HandshakeId)
        {
            throw new ArgumentOutOfRangeException(nameof(remoteExtendedId), "Extended id 0 is the handshake.");
        }

        return new ExtendedMessage(remoteExtendedId, BencodeEncoder.Encode(message.ToHeader()), message.Data);
    }

    /// <summary>
    /// Decodes the payload of an extended message (after the extended id). The data part of the
    /// result is a slice of <paramref name="payload"/>: copy it if it must outlive the frame.
    /// </summary>
    public static T Decode<T>(ReadOnlyMemory<byte> payload)
        where T : IExtensionMessage<T>
    {
        BDictionary header = DecodeHeader(payload, out int consumed);
        return T.FromHeader(header, payload[consumed..]);
    }

    public static BDictionary DecodeHeader(ReadOnlyMemory<byte> payload, out int consumed)
    {
        BValue value;
        try
        {
            value = BencodeDecoder.DecodePrefix(payload.Span, out consumed, HeaderOptions);
        }
        catch (BencodeException e)
        {
            throw new PeerProtocolException($"Malformed extension message header: {e.Message}", e);
        }

        return value as BDictionary ?? throw new PeerProtocolException("Extension message header is not a dictionary.");
    }

    public static long RequireInteger(BDictionary header, string key, long min = 0, long max = long.MaxValue)
    {
        if (!header.TryGetInteger(key, out long value))
        {
            throw new PeerProtocolException($"Missing integer field \"{key}\".");
        }

        return value >= min && value <= max ? value : throw new PeerProtocolException($"Field \"{key}\" = {value} is out of range.");
    }

    public static long OptionalInteger(BDictionary header, string key, long defaultValue, long min = 0, long max = long.MaxValue) =>
        header.TryGetValue(key, out _) ? RequireInteger(header, key, min, max) : defaultValue;

    public static byte[] RequireBytes(BDictionary header, string key, int exactLength = -1)
    {
        if (!header.TryGetBytes(key, out ReadOnlyMemory<byte> value))
        {
            throw new PeerProtocolException($"Missing string field \"{key}\".");
        }

        if (exactLength >= 0 && value.Length != exactLength)
        {
            throw new PeerProtocolException($"Field \"{key}\" is {value.Length} bytes, expected {exactLength}.");
        }

        return value.ToArray();
    }

    public static string? OptionalString(BDictionary header, string key) =>
        header.TryGetValue(key, out BValue? value)
            ? (value as BString)?.ToUtf8String() ?? throw new PeerProtocolException($"Field \"{key}\" is not a string.")
            : null;

    public static void RequireNoData(ReadOnlyMemory<byte> data, string name)
    {
        if (!data.IsEmpty)
        {
            throw new PeerProtocolException($"{name} carries {data.Length} unexpected bytes after its header.");
        }
    }

    public static byte[] CheckId(ReadOnlySpan<byte> id, string paramName) =>
        id.Length == IdLength ? id.ToArray() : throw new ArgumentException($"An id is {IdLength} bytes.", paramName);

    /// <summary>Splits a compact list of 32-byte ids (their concatenation, as BEP 5 packs node ids).</summary>
    public static IReadOnlyList<byte[]> SplitIds(ReadOnlySpan<byte> compact, string key)
    {
        if (compact.Length % IdLength != 0)
        {
            throw new PeerProtocolException($"Field \"{key}\" is {compact.Length} bytes, not a multiple of {IdLength}.");
        }

        var ids = new byte[compact.Length / IdLength][];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = compact.Slice(i * IdLength, IdLength).ToArray();
        }

        return ids;
    }

    public static byte[] JoinIds(IReadOnlyList<byte[]> ids, string paramName)
    {
        byte[] compact = new byte[ids.Count * IdLength];
        for (int i = 0; i < ids.Count; i++)
        {
            CheckId(ids[i], paramName).CopyTo(compact, i * IdLength);
        }

        return compact;
    }
}

using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// A DeepTorrent message carried in a BEP 10 extended message. Its payload is a bencoded header
/// dictionary optionally followed by raw data, as BEP 9's ut_metadata does:
/// <c>&lt;bencoded dict&gt;&lt;data: rest of the message&gt;</c>. <see cref="ExtensionCodec"/> does the framing.
/// </summary>
internal interface IExtensionMessage<TSelf>
    where TSelf : IExtensionMessage<TSelf>
{
    /// <summary>The name in the BEP 10 "m" dictionary.</summary>
    public static abstract string Name { get; }

    /// <summary>Raw bytes after the header (empty for most messages).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    public BDictionary ToHeader();

    /// <summary>Builds the message from a decoded header; throws <see cref="PeerProtocolException"/> when fields are missing or wrong.</summary>
    public static abstract TSelf FromHeader(BDictionary header, ReadOnlyMemory<byte> data);
}

using System.Text;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// The BEP 3 handshake, 68 bytes, sent once by each side before any message:
/// <code>
/// offset  size  field
///      0     1  pstrlen = 19
///      1    19  pstr = "BitTorrent protocol" (ASCII)
///     20     8  reserved; bits we use (byte index, mask):
///                 [5] &amp; 0x10  BEP 10 extension protocol
///                 [7] &amp; 0x04  BEP 6 Fast Extension
///                 [7] &amp; 0x01  BEP 5 DHT (the peer will send a port message)
///     28    20  info_hash (DeepTorrent: the cluster's swarm hash)
///     48    20  peer_id
/// </code>
/// </summary>
internal sealed class PeerHandshake
{
    public const int Length = 68;
    public const int HashLength = 20;
    public const int PeerIdLength = 20;
    public const int ReservedLength = 8;

    private const byte ExtensionBit = 0x10; // reserved[5], BEP 10
    private const byte FastBit = 0x04;      // reserved[7], BEP 6
    private const byte DhtBit = 0x01;       // reserved[7], BEP 5

    private static ReadOnlySpan<byte> Pstr => "BitTorrent protocol"u8;

    private readonly byte[] _reserved;
    private readonly byte[] _infoHash;
    private readonly byte[] _peerId;

    public PeerHandshake(ReadOnlySpan<byte> infoHash, ReadOnlySpan<byte> peerId, bool extensionProtocol = true, bool dht = false, bool fast = false)
        : this(BuildReserved(extensionProtocol, dht, fast), infoHash, peerId)
    {
    }

    private PeerHandshake(ReadOnlySpan<byte> reserved, ReadOnlySpan<byte> infoHash, ReadOnlySpan<byte> peerId)
    {
        if (infoHash.Length != HashLength || peerId.Length != PeerIdLength)
        {
            throw new ArgumentException("The info hash and peer id are 20 bytes each.");
        }

        _reserved = reserved.ToArray();
        _infoHash = infoHash.ToArray();
        _peerId = peerId.ToArray();
    }

    public ReadOnlySpan<byte> Reserved => _reserved;

    public ReadOnlySpan<byte> InfoHash => _infoHash;

    public ReadOnlySpan<byte> PeerId => _peerId;

    public bool SupportsExtensionProtocol => (_reserved[5] & ExtensionBit) != 0;

    public bool SupportsFastExtension => (_reserved[7] & FastBit) != 0;

    public bool SupportsDht => (_reserved[7] & DhtBit) != 0;

    public void Encode(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"A handshake needs {Length} bytes.", nameof(destination));
        }

        destination[0] = (byte)Pstr.Length;
        Pstr.CopyTo(destination[1..]);
        _reserved.CopyTo(destination[20..]);
        _infoHash.CopyTo(destination[28..]);
        _peerId.CopyTo(destination[48..]);
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[Length];
        Encode(bytes);
        return bytes;
    }

    /// <summary>
    /// Checks the prefix available so far (as little as one byte) so that a peer that does not speak
    /// BitTorrent is rejected at its first wrong byte, not after 68.
    /// </summary>
    public static void ValidatePrefix(ReadOnlySpan<byte> source)
    {
        if (source.Length > 0 && source[0] != Pstr.Length)
        {
            throw new PeerProtocolException($"Handshake pstrlen is {source[0]}, expected 19.");
        }

        int n = Math.Min(source.Length - 1, Pstr.Length);
        if (n > 0 && !source.Slice(1, n).SequenceEqual(Pstr[..n]))
        {
            throw new PeerProtocolException("Handshake protocol string is not \"BitTorrent protocol\".");
        }
    }

    /// <summary>Decodes a complete 68-byte handshake.</summary>
    public static PeerHandshake Decode(ReadOnlySpan<byte> source)
    {
        if (source.Length < Length)
        {
            throw new PeerProtocolException($"Handshake of {source.Length} bytes, expected {Length}.");
        }

        ValidatePrefix(source[..20]);
        return new PeerHandshake(source.Slice(20, ReservedLength), source.Slice(28, HashLength), source.Slice(48, PeerIdLength));
    }

    public override string ToString() =>
        $"handshake ext={SupportsExtensionProtocol} fast={SupportsFastExtension} dht={SupportsDht} peer={Encoding.ASCII.GetString(_peerId[..8])}";

    private static byte[] BuildReserved(bool extensionProtocol, bool dht, bool fast)
    {
        byte[] reserved = new byte[ReservedLength];
        if (extensionProtocol)
        {
            reserved[5] |= ExtensionBit;
        }

        if (fast)
        {
            reserved[7] |= FastBit;
        }

        if (dht)
        {
            reserved[7] |= DhtBit;
        }

        return reserved;
    }
}

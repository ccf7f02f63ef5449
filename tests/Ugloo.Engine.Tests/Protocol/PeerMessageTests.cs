using System.Text;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Tests.Protocol;

public sealed class PeerMessageTests
{
    private static readonly byte[] s_infoHash = Enumerable.Range(0, 20).Select(i => (byte)(0xA0 + i)).ToArray();
    private static readonly byte[] s_peerId = Encoding.ASCII.GetBytes("-UG0001-abcdefghijkl");

    internal static byte[] Encode<T>(T message)
        where T : IPeerMessage
    {
        byte[] bytes = new byte[message.WireLength];
        message.Encode(bytes);
        return bytes;
    }

    internal static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void Handshake_golden_bytes_follow_BEP3_layout()
    {
        var handshake = new PeerHandshake(s_infoHash, s_peerId, extensionProtocol: true, dht: true, fast: true);
        byte[] expected = Hex(
            "13" + Convert.ToHexString(Encoding.ASCII.GetBytes("BitTorrent protocol"))
            + "0000000000100005" // reserved: [5]=0x10 BEP 10, [7]=0x04 BEP 6 | 0x01 BEP 5
            + Convert.ToHexString(s_infoHash) + Convert.ToHexString(s_peerId));
        Assert.Equal(68, expected.Length);
        Assert.Equal(expected, handshake.ToArray());

        PeerHandshake decoded = PeerHandshake.Decode(expected);
        Assert.True(decoded.SupportsExtensionProtocol && decoded.SupportsDht && decoded.SupportsFastExtension);
        Assert.Equal(s_infoHash, decoded.InfoHash.ToArray());
        Assert.Equal(s_peerId, decoded.PeerId.ToArray());
    }

    [Fact]
    public void Handshake_flags_are_independent()
    {
        var plain = PeerHandshake.Decode(new PeerHandshake(s_infoHash, s_peerId, extensionProtocol: false).ToArray());
        Assert.False(plain.SupportsExtensionProtocol || plain.SupportsDht || plain.SupportsFastExtension);
        Assert.Equal(new byte[8], plain.Reserved.ToArray());

        var dhtOnly = PeerHandshake.Decode(new PeerHandshake(s_infoHash, s_peerId, extensionProtocol: false, dht: true).ToArray());
        Assert.True(dhtOnly.SupportsDht);
        Assert.False(dhtOnly.SupportsFastExtension || dhtOnly.SupportsExtensionProtocol);
    }

    [Theory]
    [InlineData(0, 18)]              // pstrlen 18
    [InlineData(1, (byte)'b')]       // "bitTorrent"
    [InlineData(19, (byte)'L')]      // "protocoL"
    public void Handshake_with_a_wrong_protocol_string_is_refused(int index, byte value)
    {
        byte[] bytes = new PeerHandshake(s_infoHash, s_peerId).ToArray();
        bytes[index] = value;
        Assert.Throws<PeerProtocolException>(() => PeerHandshake.Decode(bytes));
        Assert.Throws<PeerProtocolException>(() => PeerHandshake.ValidatePrefix(bytes.AsSpan(0, index + 1)));
    }

    public static TheoryData<string, string> GoldenMessages => new()
    {
        { "keep-alive", "00000000" },
        { "choke", "00000001 00" },
        { "unchoke", "00000001 01" },
        { "interested", "00000001 02" },
        { "not interested", "00000001 03" },
        { "have", "00000005 04 01020304" },
        { "bitfield", "00000003 05 FF80" },
        { "request", "0000000D 06 00000001 00004000 00004000" },
        { "piece", "0000000C 07 00000001 00000000 616263" },
        { "cancel", "0000000D 08 00000001 00004000 00004000" },
        { "port", "00000003 09 1AE1" },
        { "have-all", "00000001 0E" },
        { "have-none", "00000001 0F" },
        { "extended handshake", "00000009 14 00 64313A6D646565" },
    };

    internal static byte[] Build(string name) => name switch
    {
        "keep-alive" => Encode(new KeepAliveMessage()),
        "choke" => Encode(new StateMessage(PeerMessageId.Choke)),
        "unchoke" => Encode(new StateMessage(PeerMessageId.Unchoke)),
        "interested" => Encode(new StateMessage(PeerMessageId.Interested)),
        "not interested" => Encode(new StateMessage(PeerMessageId.NotInterested)),
        "have" => Encode(new HaveMessage(0x01020304)),
        "bitfield" => Encode(new BitfieldMessage(new byte[] { 0xFF, 0x80 })),
        "request" => Encode(RequestMessage.Request(1, 0x4000, 0x4000)),
        "piece" => Encode(new PieceMessage(1, 0, "abc"u8.ToArray())),
        "cancel" => Encode(RequestMessage.Cancel(1, 0x4000, 0x4000)),
        "port" => Encode(new PortMessage(6881)),
        "have-all" => Encode(new StateMessage(PeerMessageId.HaveAll)),
        "have-none" => Encode(new StateMessage(PeerMessageId.HaveNone)),
        "extended handshake" => Encode(new ExtendedMessage(0, "d1:mdee"u8.ToArray())),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(GoldenMessages))]
    public void Messages_encode_to_golden_bytes(string name, string hex)
    {
        Assert.Equal(Hex(hex), Build(name));
    }

    [Theory]
    [MemberData(nameof(GoldenMessages))]
    public void Golden_bytes_parse_back_to_one_frame(string name, string hex)
    {
        byte[] bytes = Hex(hex);
        Assert.True(PeerWire.TryReadFrame(bytes, PeerWireLimits.Default, out PeerFrame frame, out int consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(name == "keep-alive", frame.IsKeepAlive);
    }

    [Fact]
    public void Typed_accessors_read_the_fields()
    {
        PeerFrame F(string name)
        {
            Assert.True(PeerWire.TryReadFrame(Build(name), PeerWireLimits.Default, out PeerFrame frame, out _));
            return frame;
        }

        Assert.Equal(0x01020304u, F("have").AsHave().PieceIndex);
        Assert.Equal(new byte[] { 0xFF, 0x80 }, F("bitfield").AsBitfield().Bits.ToArray());
        RequestMessage request = F("request").AsRequest();
        Assert.Equal((PeerMessageId.Request, 1u, 0x4000u, 0x4000u), (request.Id, request.Index, request.Begin, request.Length));
        Assert.Equal(PeerMessageId.Cancel, F("cancel").AsRequest().Id);
        PieceMessage piece = F("piece").AsPiece();
        Assert.Equal((1u, 0u), (piece.Index, piece.Begin));
        Assert.Equal("abc"u8.ToArray(), piece.Block.ToArray());
        Assert.Equal(6881, F("port").AsPort().Port);
        ExtendedMessage extended = F("extended handshake").AsExtended();
        Assert.Equal(0, extended.ExtendedId);
        Assert.Equal("d1:mdee"u8.ToArray(), extended.Payload.ToArray());
        Assert.Throws<InvalidOperationException>(() => F("have").AsPiece());
    }

    [Theory]
    [InlineData("00000002 00 00")]              // choke with a payload
    [InlineData("00000004 04 000000")]          // have too short
    [InlineData("00000006 04 0000000000")]      // have too long
    [InlineData("0000000C 06 00000001 00000000 000040")]   // request too short
    [InlineData("0000000D 06 00000001 00000000 00004001")] // request for 16 KiB + 1
    [InlineData("0000000D 06 00000001 00000000 00000000")] // request for 0 bytes
    [InlineData("0000000D 10 00000001 00000000 7FFFFFFF")] // reject-request, same rule
    [InlineData("00000008 07 00000001 000000")]            // piece shorter than its header
    [InlineData("0000400A 07 00000001 00000000")]          // piece with a 16 KiB + 1 block (prefix only)
    [InlineData("00000002 09 1A")]              // port too short
    [InlineData("00000001 14")]                 // extended without extended id
    [InlineData("7FFFFFFF")]                    // absurd prefix, rejected before the id arrives
    [InlineData("FFFFFFFF 07")]
    public void Malformed_frames_are_rejected(string hex)
    {
        Assert.Throws<PeerProtocolException>(() => PeerWire.TryReadFrame(Hex(hex), PeerWireLimits.Default, out _, out _));
    }

    [Fact]
    public void Largest_allowed_block_and_chunk_pass_and_one_more_byte_fails()
    {
        PeerWireLimits limits = PeerWireLimits.Default;
        byte[] piece = Encode(new PieceMessage(0, 0, new byte[limits.MaxBlockLength]));
        Assert.True(PeerWire.TryReadFrame(piece, limits, out _, out _));
        byte[] bigPiece = Encode(new PieceMessage(0, 0, new byte[limits.MaxBlockLength + 1]));
        Assert.Throws<PeerProtocolException>(() => PeerWire.TryReadFrame(bigPiece, limits, out _, out _));

        byte[] ext = Encode(new ExtendedMessage(3, new byte[limits.MaxExtendedMessageLength - 2]));
        Assert.True(PeerWire.TryReadFrame(ext, limits, out _, out _));
        byte[] bigExt = Encode(new ExtendedMessage(3, new byte[limits.MaxExtendedMessageLength - 1]));
        Assert.Throws<PeerProtocolException>(() => PeerWire.TryReadFrame(bigExt, limits, out _, out _));
    }

    [Fact]
    public void Unknown_message_ids_pass_within_the_general_limit()
    {
        Assert.True(PeerWire.TryReadFrame(Hex("00000003 63 AABB"), PeerWireLimits.Default, out PeerFrame frame, out _));
        Assert.Equal((PeerMessageId)0x63, frame.Id);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, frame.Payload.ToArray());
    }

    [Fact]
    public void Incomplete_frames_ask_for_more_bytes_without_claiming_more_than_the_header()
    {
        byte[] piece = Build("piece");
        Assert.False(PeerWire.TryReadFrame(piece.AsMemory(0, 2), PeerWireLimits.Default, out _, out int needed));
        Assert.Equal(4, needed);
        Assert.False(PeerWire.TryReadFrame(piece.AsMemory(0, 4), PeerWireLimits.Default, out _, out needed));
        Assert.Equal(5, needed);
        Assert.False(PeerWire.TryReadFrame(piece.AsMemory(0, 10), PeerWireLimits.Default, out _, out needed));
        Assert.Equal(piece.Length, needed);
    }
}

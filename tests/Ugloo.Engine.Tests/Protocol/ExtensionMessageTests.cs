using System.Text;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Tests.Protocol;

public sealed class ExtensionMessageTests
{
    private static readonly byte[] s_id = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] s_id2 = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();

    private static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>Encodes as the peer would see it and returns the payload after the extended id.</summary>
    private static byte[] Payload<T>(T message, byte id = 9)
        where T : IExtensionMessage<T>
    {
        byte[] wire = PeerMessageTests.Encode(ExtensionCodec.Encode(message, id));
        Assert.True(PeerWire.TryReadFrame(wire, PeerWireLimits.Default, out PeerFrame frame, out int consumed));
        Assert.Equal(wire.Length, consumed);
        ExtendedMessage extended = frame.AsExtended();
        Assert.Equal(id, extended.ExtendedId);
        return extended.Payload.ToArray();
    }

    internal static void TryDecodeAsEveryType(ReadOnlyMemory<byte> payload)
    {
        Action[] decoders =
        [
            () => ExtendedHandshake.Decode(payload),
            () => ExtensionCodec.Decode<UglooAuth>(payload),
            () => ExtensionCodec.Decode<UglooStore>(payload),
            () => ExtensionCodec.Decode<UglooStoreResult>(payload),
            () => ExtensionCodec.Decode<UglooFetch>(payload),
            () => ExtensionCodec.Decode<UglooFetchData>(payload),
            () => ExtensionCodec.Decode<UglooHave>(payload),
            () => ExtensionCodec.Decode<UglooPex>(payload),
            () => ExtensionCodec.Decode<UglooManifest>(payload),
            () => ExtensionCodec.Decode<UglooStatus>(payload),
        ];
        foreach (Action decode in decoders)
        {
            try
            {
                decode();
            }
            catch (PeerProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Store_golden_bytes_and_round_trip()
    {
        var store = new UglooStore(7, s_id, totalLength: 10, offset: 4, "abc"u8.ToArray());
        byte[] payload = Payload(store);
        Assert.Equal("d2:id32:" + Latin1(s_id) + "3:offi4e3:ridi7e5:totali10ee" + "abc", Latin1(payload));

        UglooStore decoded = ExtensionCodec.Decode<UglooStore>(payload);
        Assert.Equal((7L, 10L, 4L, false), (decoded.RequestId, decoded.TotalLength, decoded.Offset, decoded.IsLast));
        Assert.Equal(s_id, decoded.FragmentId);
        Assert.Equal("abc"u8.ToArray(), decoded.Data.ToArray());
        Assert.True(new UglooStore(7, s_id, 10, 7, "abc"u8.ToArray()).IsLast);
    }

    [Fact]
    public void A_one_MiB_store_chunk_fits_the_extended_limit()
    {
        byte[] chunk = new byte[PeerWireLimits.DefaultMaxChunkLength];
        new Random(5).NextBytes(chunk);
        UglooStore decoded = ExtensionCodec.Decode<UglooStore>(Payload(new UglooStore(long.MaxValue, s_id, 5L << 20, 4L << 20, chunk)));
        Assert.Equal(chunk, decoded.Data.ToArray());
        Assert.True(decoded.IsLast);
    }

    [Theory]
    [InlineData("d2:id32:ID3:offi4e3:ridi7e5:totali5ee", "abc")]   // chunk runs past total
    [InlineData("d2:id32:ID3:offi6e3:ridi7e5:totali5ee", "")]      // offset past total
    [InlineData("d2:id32:ID3:offi-1e3:ridi7e5:totali5ee", "")]     // negative offset
    [InlineData("d2:id3:abc3:offi0e3:ridi7e5:totali5ee", "")]      // id of 3 bytes
    [InlineData("d3:offi0e3:ridi7e5:totali5ee", "")]               // no id
    [InlineData("d2:idi5e3:offi0e3:ridi7e5:totali5ee", "")]        // id of the wrong type
    [InlineData("l2:idi5ee", "")]                                  // header is a list
    [InlineData("d2:id32:ID3:offi0e", "")]                         // truncated header
    [InlineData("d3:offi0e2:id32:ID3:ridi7e5:totali5ee", "")]      // unsorted keys
    public void Malformed_store_headers_are_protocol_errors(string header, string data)
    {
        byte[] payload = Encoding.Latin1.GetBytes(header.Replace("32:ID", "32:" + Latin1(s_id), StringComparison.Ordinal) + data);
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStore>(payload));
    }

    [Fact]
    public void Store_results_round_trip()
    {
        Assert.Equal("d2:oki1e3:ridi3ee", Latin1(Payload(UglooStoreResult.Success(3))));
        UglooStoreResult ok = ExtensionCodec.Decode<UglooStoreResult>(Payload(UglooStoreResult.Success(3)));
        Assert.True(ok.Ok);
        Assert.Equal(3, ok.RequestId);

        UglooStoreResult full = ExtensionCodec.Decode<UglooStoreResult>(Payload(UglooStoreResult.Failure(4, UglooErrorCodes.Full, "disk full: 0 of 10 GiB free")));
        Assert.Equal((false, UglooErrorCodes.Full, "disk full: 0 of 10 GiB free"), (full.Ok, full.Error, full.Reason));

        // ok=0 without err, or ok=1 with err, is contradictory.
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStoreResult>("d2:oki0e3:ridi3ee"u8.ToArray()));
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStoreResult>("d3:err4:full2:oki1e3:ridi3ee"u8.ToArray()));
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStoreResult>("d2:oki2e3:ridi3ee"u8.ToArray()));
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStoreResult>("d2:oki1e3:ridi3eeX"u8.ToArray()));
    }

    [Fact]
    public void Fetch_and_fetch_data_round_trip()
    {
        Assert.Equal("d2:id32:" + Latin1(s_id) + "3:leni1048576e3:offi0e3:ridi1ee", Latin1(Payload(new UglooFetch(1, s_id, 0, 1 << 20))));
        UglooFetch fetch = ExtensionCodec.Decode<UglooFetch>(Payload(new UglooFetch(1, s_id, 5, 100)));
        Assert.Equal((1L, 5L, 100), (fetch.RequestId, fetch.Offset, fetch.Length));
        Assert.Equal(s_id, fetch.FragmentId);
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooFetch>(Encoding.Latin1.GetBytes("d2:id32:" + Latin1(s_id) + "3:leni0e3:offi0e3:ridi1ee")));

        UglooFetchData data = ExtensionCodec.Decode<UglooFetchData>(Payload(UglooFetchData.Success(1, 10, 8, "xy"u8.ToArray())));
        Assert.True(data.Ok);
        Assert.Equal((10L, 8L), (data.TotalLength, data.Offset));
        Assert.Equal("xy"u8.ToArray(), data.Data.ToArray());

        byte[] notFound = Payload(UglooFetchData.Failure(2, UglooErrorCodes.NotFound, "no such fragment"));
        Assert.Equal("d3:err9:not_found6:reason16:no such fragment3:ridi2ee", Latin1(notFound));
        UglooFetchData error = ExtensionCodec.Decode<UglooFetchData>(notFound);
        Assert.Equal((false, "not_found"), (error.Ok, error.Error));

        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooFetchData>("d3:offi9e3:ridi1e5:totali10eexy"u8.ToArray()));
    }

    [Fact]
    public void Have_query_and_answer_round_trip()
    {
        var query = new UglooHave(5, isQuery: true, [s_id, s_id2]);
        byte[] payload = Payload(query);
        Assert.Equal("d3:ids64:" + Latin1(s_id) + Latin1(s_id2) + "1:qi1e3:ridi5ee", Latin1(payload));
        UglooHave decoded = ExtensionCodec.Decode<UglooHave>(payload);
        Assert.True(decoded.IsQuery);
        Assert.Equal([s_id, s_id2], decoded.FragmentIds);

        UglooHave answer = ExtensionCodec.Decode<UglooHave>(Payload(new UglooHave(5, isQuery: false, [s_id2])));
        Assert.False(answer.IsQuery);
        Assert.Equal(s_id2, Assert.Single(answer.FragmentIds));

        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooHave>("d3:ids3:abce"u8.ToArray()));
    }

    [Fact]
    public void Pex_round_trips_members_and_dropped_ids()
    {
        var pex = new UglooPex(
            [new PexMember(s_id, "10.0.0.1:6881", 1L << 40, 1L << 39, "paris", "up"), new PexMember(s_id2, "[::1]:7000", 100, 0, "", "draining")],
            [s_id2]);
        UglooPex decoded = ExtensionCodec.Decode<UglooPex>(Payload(pex));
        Assert.Equal(2, decoded.Members.Count);
        PexMember first = decoded.Members[0];
        Assert.Equal(("10.0.0.1:6881", 1L << 40, 1L << 39, "paris", "up"), (first.Address, first.CapacityBytes, first.FreeBytes, first.Site, first.State));
        Assert.Equal(s_id, first.NodeId);
        Assert.Equal("draining", decoded.Members[1].State);
        Assert.Equal(s_id2, Assert.Single(decoded.Dropped));

        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooPex>("d7:membersli1eee"u8.ToArray()));
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooPex>("de"u8.ToArray()));
    }

    [Fact]
    public void Manifest_push_query_and_error_round_trip()
    {
        UglooManifest push = ExtensionCodec.Decode<UglooManifest>(Payload(new UglooManifest(0, s_id, isQuery: false, "manifest"u8.ToArray())));
        Assert.Equal("manifest"u8.ToArray(), push.Data.ToArray());
        Assert.False(push.IsQuery);

        UglooManifest query = ExtensionCodec.Decode<UglooManifest>(Payload(new UglooManifest(9, s_id, isQuery: true, default)));
        Assert.True(query.IsQuery);
        Assert.Equal(9, query.RequestId);

        UglooManifest missing = ExtensionCodec.Decode<UglooManifest>(Payload(new UglooManifest(9, s_id, false, default, UglooErrorCodes.NotFound, "unknown")));
        Assert.Equal(UglooErrorCodes.NotFound, missing.Error);

        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooManifest>(Encoding.Latin1.GetBytes("d3:mid32:" + Latin1(s_id) + "1:qi1eeDATA")));
    }

    [Fact]
    public void Auth_message_round_trips_and_rejects_short_proofs()
    {
        byte[] proof = Enumerable.Repeat((byte)0x5A, 32).ToArray();
        Assert.Equal(proof, ExtensionCodec.Decode<UglooAuth>(Payload(new UglooAuth(proof))).Proof);
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooAuth>("d5:proof3:abce"u8.ToArray()));
    }

    [Fact]
    public void Extended_handshake_golden_bytes_and_round_trip()
    {
        byte[] nonce = Enumerable.Repeat((byte)1, 32).ToArray();
        var handshake = new ExtendedHandshake(new Dictionary<string, byte> { ["ugloo_store"] = 2, ["ugloo_auth"] = 1 })
        {
            Client = "Ugloo 0.1",
            ListenPort = 6881,
            RequestQueue = 250,
            Nonce = nonce,
        };
        byte[] bytes = handshake.Encode();
        Assert.Equal("d1:md10:ugloo_authi1e11:ugloo_storei2ee1:pi6881e4:reqqi250e11:ugloo_nonce32:" + Latin1(nonce) + "1:v9:Ugloo 0.1e", Latin1(bytes));

        ExtendedHandshake decoded = ExtendedHandshake.Decode(bytes);
        Assert.Equal((byte)2, decoded.GetId("ugloo_store"));
        Assert.Equal((byte)0, decoded.GetId("ut_metadata"));
        Assert.Equal(("Ugloo 0.1", 6881, 250), (decoded.Client, decoded.ListenPort, decoded.RequestQueue));
        Assert.Equal(nonce, decoded.Nonce);
        Assert.Null(decoded.NodeId);
    }

    [Fact]
    public void Extended_handshake_of_a_stock_client_is_understood()
    {
        // libtorrent-style: unknown keys are ignored (BEP 10) and id 0 means "disabled".
        byte[] bytes = Encoding.Latin1.GetBytes("d12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e11:ut_metadatai0e6:ut_pexi1ee13:metadata_sizei0e1:pi51413e4:reqqi500e1:v17:qBittorrent/4.6.06:yourip4:\u007F\0\0\u0001e");
        ExtendedHandshake decoded = ExtendedHandshake.Decode(bytes);
        Assert.Equal((byte)1, decoded.GetId("ut_pex"));
        Assert.Equal((byte)0, decoded.GetId("ut_metadata"));
        Assert.False(decoded.MessageIds.ContainsKey("ut_metadata"));
        Assert.Equal("qBittorrent/4.6.0", decoded.Client);
        Assert.Null(decoded.Nonce);
    }

    [Theory]
    [InlineData("d1:md1:xi256eee")]    // id out of range
    [InlineData("d1:md1:x1:yee")]      // id not an integer
    [InlineData("d1:mi1ee")]           // m not a dictionary
    [InlineData("d11:ugloo_nonce3:abce")]
    public void Malformed_extended_handshakes_are_protocol_errors(string text)
    {
        Assert.Throws<PeerProtocolException>(() => ExtendedHandshake.Decode(Encoding.Latin1.GetBytes(text)));
    }
}

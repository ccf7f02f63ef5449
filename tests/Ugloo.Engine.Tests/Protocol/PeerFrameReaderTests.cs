using System.Buffers.Binary;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Tests.Protocol;

public sealed class PeerFrameReaderTests
{
    private static readonly string[] s_names = PeerMessageTests.GoldenMessages.Select(row => (string)row.Data.Item1).ToArray();

    /// <summary>Reads every frame until a clean end; returns (keep-alive?, id, payload) for each.</summary>
    private static async Task<List<(bool KeepAlive, PeerMessageId Id, string Payload)>> ReadAllAsync(Stream stream, PeerWireLimits? limits = null)
    {
        using var reader = new PeerFrameReader(stream, limits, bufferSize: 128);
        var frames = new List<(bool, PeerMessageId, string)>();
        while (await reader.ReadFrameAsync(TestContext.Current.CancellationToken) is PeerFrame frame)
        {
            frames.Add((frame.IsKeepAlive, frame.IsKeepAlive ? 0 : frame.Id, Convert.ToHexString(frame.Payload.Span)));
        }

        return frames;
    }

    // Payloads compared as hex: tuples of arrays would compare references.
    private static (bool, PeerMessageId, string) Expected(byte[] encoded) =>
        encoded.Length == 4 ? (true, 0, "") : (false, (PeerMessageId)encoded[4], Convert.ToHexString(encoded.AsSpan(5)));

    [Fact]
    public async Task Every_message_split_at_every_offset_decodes_the_same()
    {
        foreach (string name in s_names)
        {
            byte[] encoded = PeerMessageTests.Build(name);
            for (int split = 0; split <= encoded.Length; split++)
            {
                var frames = await ReadAllAsync(ChunkedReadStream.SplitAt(encoded, split));
                var frame = Assert.Single(frames);
                Assert.Equal(Expected(encoded), frame);
            }

            Assert.Equal(Expected(encoded), Assert.Single(await ReadAllAsync(ChunkedReadStream.ByteByByte(encoded))));
        }
    }

    [Fact]
    public async Task A_stream_of_all_messages_split_at_every_offset_and_byte_by_byte_decodes_in_order()
    {
        // A 1000-byte block makes one frame larger than the 128-byte test buffer, so growth and
        // compaction are exercised too.
        byte[][] messages = [.. s_names.Select(PeerMessageTests.Build), PeerMessageTests.Encode(new PieceMessage(7, 0, Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray()))];
        byte[] all = messages.SelectMany(m => m).ToArray();
        var expected = messages.Select(Expected).ToList();

        for (int split = 0; split <= all.Length; split++)
        {
            Assert.Equal(expected, await ReadAllAsync(ChunkedReadStream.SplitAt(all, split)));
        }

        for (int a = 0; a <= all.Length; a += 17)
        {
            for (int b = a; b <= all.Length; b += 13)
            {
                Assert.Equal(expected, await ReadAllAsync(ChunkedReadStream.SplitAt(all, a, b)));
            }
        }

        Assert.Equal(expected, await ReadAllAsync(ChunkedReadStream.ByteByByte(all)));
        Assert.Equal(expected, await ReadAllAsync(new MemoryStream(all)));
    }

    [Fact]
    public async Task A_buffered_frame_is_returned_synchronously()
    {
        byte[] two = [.. PeerMessageTests.Build("have"), .. PeerMessageTests.Build("choke")];
        using var reader = new PeerFrameReader(new MemoryStream(two));
        PeerFrame? first = await reader.ReadFrameAsync(TestContext.Current.CancellationToken);
        Assert.Equal(PeerMessageId.Have, first?.Id);
        ValueTask<PeerFrame?> second = reader.ReadFrameAsync(TestContext.Current.CancellationToken);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(PeerMessageId.Choke, (await second)?.Id);
    }

    [Fact]
    public async Task Truncated_input_ends_with_EndOfStream_and_an_empty_stream_with_null()
    {
        Assert.Empty(await ReadAllAsync(new MemoryStream()));
        foreach (string name in s_names)
        {
            byte[] encoded = PeerMessageTests.Build(name);
            for (int cut = 1; cut < encoded.Length; cut++)
            {
                await Assert.ThrowsAsync<EndOfStreamException>(() => ReadAllAsync(new MemoryStream(encoded[..cut])));
            }
        }
    }

    [Theory]
    [InlineData(0x7FFFFFFFu, -1)]
    [InlineData(0xFFFFFFFFu, -1)]
    [InlineData((1u << 20) + (64u << 10) + 1, (int)PeerMessageId.Extended)] // one byte over the extended limit
    [InlineData(1u << 20, (int)PeerMessageId.Piece)]                         // 1 MiB piece
    [InlineData(1u << 20, (int)PeerMessageId.Have)]
    [InlineData(1u << 20, 0x63)]                                             // unknown id, over the general limit
    public async Task Oversized_length_prefix_fails_fast_without_growing_the_buffer(uint length, int id)
    {
        // Only the header is sent and the stream stays open: the reader must refuse on the header
        // alone (waiting for the payload would end in EndOfStream, not PeerProtocolException).
        byte[] header = new byte[id < 0 ? 4 : 5];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        if (id >= 0)
        {
            header[4] = (byte)id;
        }

        using var reader = new PeerFrameReader(new MemoryStream(header));
        int capacity = reader.BufferCapacity;
        await Assert.ThrowsAsync<PeerProtocolException>(async () => await reader.ReadFrameAsync(TestContext.Current.CancellationToken));
        Assert.Equal(capacity, reader.BufferCapacity);
    }

    [Fact]
    public async Task A_one_MiB_chunk_is_read_whole_and_the_big_buffer_is_released_after()
    {
        byte[] chunk = new byte[1 << 20];
        new Random(3).NextBytes(chunk);
        byte[] stream = [.. PeerMessageTests.Encode(new ExtendedMessage(2, chunk)), .. PeerMessageTests.Build("choke")];
        using var reader = new PeerFrameReader(ChunkedReadStream.SplitAt(stream, 100, 70_000, 500_000));
        PeerFrame? big = await reader.ReadFrameAsync(TestContext.Current.CancellationToken);
        Assert.Equal(chunk, big!.Value.AsExtended().Payload.ToArray());
        Assert.True(reader.BufferCapacity >= chunk.Length);
        PeerFrame? next = await reader.ReadFrameAsync(TestContext.Current.CancellationToken);
        Assert.Equal(PeerMessageId.Choke, next?.Id);
        Assert.Null(await reader.ReadFrameAsync(TestContext.Current.CancellationToken));
        Assert.True(reader.BufferCapacity < chunk.Length);
    }

    [Fact]
    public async Task Handshake_then_messages_are_read_across_any_split()
    {
        byte[] handshake = new PeerHandshake(new byte[20], new byte[20]).ToArray();
        byte[] all = [.. handshake, .. PeerMessageTests.Build("have")];
        for (int split = 0; split <= all.Length; split++)
        {
            using var reader = new PeerFrameReader(ChunkedReadStream.SplitAt(all, split));
            PeerHandshake h = await reader.ReadHandshakeAsync(TestContext.Current.CancellationToken);
            Assert.True(h.SupportsExtensionProtocol);
            Assert.Equal(PeerMessageId.Have, (await reader.ReadFrameAsync(TestContext.Current.CancellationToken))?.Id);
        }
    }

    [Fact]
    public async Task A_non_BitTorrent_peer_is_refused_at_its_first_byte()
    {
        // "GET / HTTP/1.1": the stream then blocks forever, so only an early refusal can pass.
        using var reader = new PeerFrameReader(new ChunkedReadStream([[(byte)'G'], [(byte)'E']]));
        await Assert.ThrowsAsync<PeerProtocolException>(async () => await reader.ReadHandshakeAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Random_garbage_only_ever_raises_protocol_or_end_of_stream_errors()
    {
        var random = new Random(12345);
        byte[] ids = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x0E, 0x0F, 0x10, 20, 20, 20, 0x63];
        for (int iteration = 0; iteration < 3000; iteration++)
        {
            // Mostly plausible frames (small prefixes, known ids, random bodies) so decoding goes
            // deep, with pure noise mixed in.
            var bytes = new List<byte>();
            for (int f = random.Next(1, 6); f > 0; f--)
            {
                if (random.Next(5) == 0)
                {
                    byte[] noise = new byte[random.Next(1, 12)];
                    random.NextBytes(noise);
                    bytes.AddRange(noise);
                    continue;
                }

                byte[] body = new byte[random.Next(0, 40)];
                random.NextBytes(body);
                if (body.Length > 1 && random.Next(2) == 0)
                {
                    body[1] = (byte)'d'; // an extended payload that starts like bencode
                }

                int length = random.Next(3) == 0 ? random.Next(0, 50) : body.Length + 1;
                bytes.AddRange([(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, ids[random.Next(ids.Length)]]);
                bytes.AddRange(body);
            }

            byte[] input = [.. bytes];
            int split = random.Next(input.Length + 1);
            try
            {
                using var reader = new PeerFrameReader(ChunkedReadStream.SplitAt(input, split), bufferSize: 128);
                while (await reader.ReadFrameAsync(TestContext.Current.CancellationToken) is PeerFrame frame)
                {
                    DecodeEverything(frame);
                }
            }
            catch (PeerProtocolException)
            {
            }
            catch (EndOfStreamException)
            {
            }
        }
    }

    /// <summary>Runs every decoder a handler might run on the frame.</summary>
    internal static void DecodeEverything(PeerFrame frame)
    {
        if (frame.IsKeepAlive)
        {
            return;
        }

        switch (frame.Id)
        {
            case PeerMessageId.Have:
                frame.AsHave();
                break;
            case PeerMessageId.Bitfield:
                frame.AsBitfield();
                break;
            case PeerMessageId.Request or PeerMessageId.Cancel or PeerMessageId.RejectRequest:
                frame.AsRequest();
                break;
            case PeerMessageId.Piece:
                frame.AsPiece();
                break;
            case PeerMessageId.Port:
                frame.AsPort();
                break;
            case PeerMessageId.Extended:
                ExtendedMessage extended = frame.AsExtended();
                ExtensionMessageTests.TryDecodeAsEveryType(extended.Payload);
                break;
        }
    }

    [Fact]
    public async Task Concurrent_senders_share_one_connection_without_interleaving()
    {
        var sink = new MemoryStream();
        using (var writer = new PeerFrameWriter(sink))
        {
            Task[] senders = Enumerable.Range(0, 8).Select(s => Task.Run(async () =>
            {
                for (int i = 0; i < 200; i++)
                {
                    byte[] block = new byte[100 + (i % 50)];
                    Array.Fill(block, (byte)s);
                    await writer.WriteAsync(new PieceMessage((uint)s, (uint)i, block), TestContext.Current.CancellationToken);
                }
            })).ToArray();
            await Task.WhenAll(senders);
        }

        sink.Position = 0;
        var frames = await ReadAllAsync(sink);
        Assert.Equal(1600, frames.Count);
        var nextBegin = new int[8];
        foreach (var (_, id, hex) in frames)
        {
            byte[] payload = Convert.FromHexString(hex);
            Assert.Equal(PeerMessageId.Piece, id);
            int sender = BinaryPrimitives.ReadInt32BigEndian(payload);
            int begin = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4));
            Assert.Equal(nextBegin[sender]++, begin); // each sender's frames arrive whole and in order
            Assert.All(payload[8..], b => Assert.Equal(sender, b));
        }
    }
}

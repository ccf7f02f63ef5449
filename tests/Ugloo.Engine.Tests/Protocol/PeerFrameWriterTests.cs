using System.Net;
using System.Net.Sockets;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Tests.Protocol;

/// <summary>
/// The writer's two paths: frames encoded whole into a pooled buffer, and extended messages whose data part is
/// sent from the caller's memory with a gathered socket send. Both must put the same bytes on the wire.
/// </summary>
public sealed class PeerFrameWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(Socket Sender, Socket Receiver)> SocketPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Task<Socket> accepted = listener.AcceptAsync(Ct).AsTask();
        await sender.ConnectAsync(listener.LocalEndPoint!, Ct);
        return (sender, await accepted);
    }

    private static UglooFetchData Chunk(int seed, int length)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return UglooFetchData.Success(seed, length + 100, 100, data);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16 << 10)]
    [InlineData(1 << 20)]
    public async Task A_borrowed_data_part_arrives_as_the_copied_frame_would(int length)
    {
        (Socket sender, Socket receiver) = await SocketPairAsync();
        await using var outbound = new NetworkStream(sender, ownsSocket: true);
        await using var inbound = new NetworkStream(receiver, ownsSocket: true);
        using var writer = new PeerFrameWriter(outbound);
        using var reader = new PeerFrameReader(inbound);

        // Interleave both paths on one connection: frames stay whole and in order.
        UglooFetchData[] sent = [Chunk(1, length), Chunk(2, length), Chunk(3, 7), UglooFetchData.Failure(4, "not_found", "gone")];
        Task writing = Task.Run(
            async () =>
            {
                await writer.WriteBorrowingAsync(ExtensionCodec.Encode(sent[0], 9), Ct);
                await writer.WriteAsync(ExtensionCodec.Encode(sent[1], 9), Ct);
                await writer.WriteBorrowingAsync(ExtensionCodec.Encode(sent[2], 9), Ct);
                await writer.WriteBorrowingAsync(ExtensionCodec.Encode(sent[3], 9), Ct); // no data part: the plain path
            },
            Ct);

        foreach (UglooFetchData expected in sent)
        {
            PeerFrame frame = (await reader.ReadFrameAsync(Ct))!.Value;
            ExtendedMessage extended = frame.AsExtended();
            Assert.Equal(9, extended.ExtendedId);
            UglooFetchData got = ExtensionCodec.Decode<UglooFetchData>(extended.Payload);
            Assert.Equal(expected.RequestId, got.RequestId);
            Assert.Equal(expected.Error, got.Error);
            Assert.Equal(expected.Offset, got.Offset);
            Assert.Equal(expected.TotalLength, got.TotalLength);
            Assert.Equal(expected.Data.ToArray(), got.Data.ToArray());
        }

        await writing;
    }

    [Fact]
    public async Task Over_a_stream_that_is_not_a_socket_the_borrowing_write_copies()
    {
        using var buffer = new MemoryStream();
        using var writer = new PeerFrameWriter(buffer);
        UglooFetchData message = Chunk(5, 3000);
        await writer.WriteBorrowingAsync(ExtensionCodec.Encode(message, 3), Ct);

        using var expected = new MemoryStream();
        using var plain = new PeerFrameWriter(expected);
        await plain.WriteAsync(ExtensionCodec.Encode(message, 3), Ct);
        Assert.Equal(expected.ToArray(), buffer.ToArray());
    }

    [Fact]
    public async Task A_borrowing_write_to_a_closed_connection_fails_as_an_IO_error()
    {
        (Socket sender, Socket receiver) = await SocketPairAsync();
        await using var outbound = new NetworkStream(sender, ownsSocket: true);
        using var writer = new PeerFrameWriter(outbound);
        receiver.Close();

        // The first sends may still be taken by the kernel before the reset arrives; keep sending until it shows.
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await writer.WriteBorrowingAsync(ExtensionCodec.Encode(Chunk(i, 64 << 10), 3), Ct);
            }
        });
    }

    [Fact]
    public async Task Cancelling_a_borrowing_write_that_the_peer_does_not_drain_ends_it()
    {
        (Socket sender, Socket receiver) = await SocketPairAsync();
        await using var outbound = new NetworkStream(sender, ownsSocket: true);
        using var idle = receiver; // never read: the socket buffers fill and a send blocks
        using var writer = new PeerFrameWriter(outbound);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        UglooFetchData chunk = Chunk(6, 1 << 20);

        // Whether the cancellation finds a send blocked in the kernel or the next one waiting, the write ends
        // with OperationCanceledException instead of waiting for a reader that never comes.
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            while (true)
            {
                await writer.WriteBorrowingAsync(ExtensionCodec.Encode(chunk, 3), cancel.Token);
            }
        });
    }

    [Fact]
    public void The_rest_of_a_short_gathered_send_starts_where_it_stopped()
    {
        byte[] a = [1, 2, 3];
        byte[] b = [4, 5, 6, 7];
        ArraySegment<byte>[] parts = [new(a), new(b, 1, 3)];

        Assert.Equal([1, 2, 3, 5, 6, 7], PeerFrameWriter.Remaining(parts, 0).SelectMany(p => p).ToArray());
        Assert.Equal([3, 5, 6, 7], PeerFrameWriter.Remaining(parts, 2).SelectMany(p => p).ToArray());
        Assert.Equal([5, 6, 7], PeerFrameWriter.Remaining(parts, 3).SelectMany(p => p).ToArray());
        Assert.Equal([7], PeerFrameWriter.Remaining(parts, 5).SelectMany(p => p).ToArray());
        Assert.Empty(PeerFrameWriter.Remaining(parts, 6));
    }
}

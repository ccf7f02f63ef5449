using System.Net.Sockets;
using System.Text;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests;

/// <summary>
/// Hostile and broken peers (DESIGN.md invariant 6): each bad connection is closed by the node, and the node
/// keeps serving everyone else.
/// </summary>
public sealed class GarbageTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    // Generous: only bounds a hang; the node normally closes at once (or after its 2 s handshake deadline).
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(30);

    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task Random_bytes_instead_of_a_handshake_are_dropped()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NetworkStream stream = await RawPeer.ConnectTcpAsync(Node.Port, ct);
        byte[] garbage = new byte[512];
        Random.Shared.NextBytes(garbage);
        garbage[0] = 0xFF; // never the handshake's pstrlen (19)
        await stream.WriteAsync(garbage, ct);

        Assert.True(await RawPeer.WaitForCloseAsync(stream, s_closeTimeout));
        await AssertNodeServesAsync(ct);
    }

    [Fact]
    public async Task Truncated_handshake_then_end_of_stream_is_dropped()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NetworkStream stream = await RawPeer.ConnectTcpAsync(Node.Port, ct);
        await stream.WriteAsync(ValidHandshake().AsMemory(0, 30), ct);
        stream.Socket.Shutdown(SocketShutdown.Send);

        Assert.True(await RawPeer.WaitForCloseAsync(stream, s_closeTimeout));
        await AssertNodeServesAsync(ct);
    }

    [Fact]
    public async Task Peer_that_stalls_inside_the_handshake_is_dropped_at_the_deadline()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NetworkStream stream = await RawPeer.ConnectTcpAsync(Node.Port, ct);
        await stream.WriteAsync(ValidHandshake().AsMemory(0, 30), ct);

        // The fixture's node runs with --handshake-timeout 2s.
        Assert.True(await RawPeer.WaitForCloseAsync(stream, s_closeTimeout));
        await AssertNodeServesAsync(ct);
    }

    [Fact]
    public async Task Oversized_length_prefix_after_a_valid_opening_is_dropped()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RawPeer peer = await RawPeer.OpenAsync(Node.Port, fixture.ClientCredentials.CreateConnectionOptions(), ct);
        Assert.True(peer.Connection.IsAuthenticated);

        // 0x7FFFFFFF: a 2 GiB message. The node must refuse it from the prefix alone.
        await peer.Stream.WriteAsync(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF, 20, 2 }, ct);

        Assert.True(await RawPeer.WaitForCloseAsync(peer.Stream, s_closeTimeout));
        await AssertNodeServesAsync(ct);
    }

    [Fact]
    public async Task Malformed_bencoded_store_header_is_dropped()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RawPeer peer = await RawPeer.OpenAsync(Node.Port, fixture.ClientCredentials.CreateConnectionOptions(), ct);
        byte storeId = peer.Connection.RemoteExtendedHandshake.GetId(ExtensionNames.Store);
        Assert.NotEqual(0, storeId);

        // "i01e": a leading zero, which strict bencoding (BEP 3) forbids; then chunk bytes.
        byte[] payload = Encoding.ASCII.GetBytes("d3:ridi01e2:id3:abce hello");
        await peer.Connection.SendMessageAsync(new ExtendedMessage(storeId, payload), ct);

        Assert.True(await RawPeer.WaitForCloseAsync(peer.Stream, s_closeTimeout));
        await AssertNodeServesAsync(ct);
    }

    [Fact]
    public async Task Store_header_with_a_missing_field_is_dropped()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RawPeer peer = await RawPeer.OpenAsync(Node.Port, fixture.ClientCredentials.CreateConnectionOptions(), ct);
        byte storeId = peer.Connection.RemoteExtendedHandshake.GetId(ExtensionNames.Store);

        // Well-formed bencoding, but no "id" and no "total".
        byte[] payload = Encoding.ASCII.GetBytes("d3:offi0e3:ridi1eechunk");
        await peer.Connection.SendMessageAsync(new ExtendedMessage(storeId, payload), ct);

        Assert.True(await RawPeer.WaitForCloseAsync(peer.Stream, s_closeTimeout));
        await AssertNodeServesAsync(ct);
    }

    private byte[] ValidHandshake()
    {
        var handshake = new PeerHandshake(SwarmCredentials.DeriveInfoHash(fixture.ClusterKey), new byte[20], extensionProtocol: true, dht: false);
        byte[] bytes = new byte[PeerHandshake.Length];
        handshake.Encode(bytes);
        return bytes;
    }

    private async Task AssertNodeServesAsync(CancellationToken ct)
    {
        (FragmentId id, byte[] bytes) = Fragments.Random(1_500_000);
        await using PeerClient client = await Node.ConnectAsync(fixture.ClientCredentials, ct);
        await client.StoreAsync(id, bytes, ct);
        byte[] fetched = new byte[bytes.Length];
        Assert.True(await client.FetchAsync(id, fetched, ct));
        Assert.Equal(bytes, fetched);

        // Bad peers are the peers' problem: warnings at most, never an error or a crash of the node.
        Assert.False(Node.HasExited, Node.Output);
        Assert.DoesNotContain("fail:", Node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", Node.Output, StringComparison.Ordinal);
    }
}

using Ugloo.Engine.Objects;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests;

/// <summary>Storing and fetching fragments on a real ugloo-node process over loopback.</summary>
public sealed class StoreFetchTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task Stored_fragment_is_fetched_byte_identical_and_listed_by_have()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (FragmentId id, byte[] bytes) = Fragments.Random(100_000);
        (FragmentId absent, _) = Fragments.Random(10);
        await using PeerClient client = await Node.ConnectAsync(fixture.ClientCredentials, ct);

        await client.StoreAsync(id, bytes, ct);

        byte[] fetched = new byte[bytes.Length];
        Assert.True(await client.FetchAsync(id, fetched, ct));
        Assert.Equal(bytes, fetched);
        IReadOnlySet<FragmentId> held = await client.HaveAsync([id, absent], ct);
        Assert.Equal([id], held);
    }

    [Fact]
    public async Task Five_MiB_fragment_travels_in_several_chunks_both_ways()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (FragmentId id, byte[] bytes) = Fragments.Random(5 << 20);
        await using PeerClient client = await Node.ConnectAsync(fixture.ClientCredentials, ct);

        await client.StoreAsync(id, bytes, ct);

        // A second connection: the fragment is on the node, not in some per-connection state.
        await using PeerClient other = await Node.ConnectAsync(fixture.ClientCredentials, ct);
        byte[] fetched = new byte[bytes.Length];
        Assert.True(await other.FetchAsync(id, fetched, ct));
        Assert.Equal(bytes, fetched);
        Assert.NotNull(Fragments.FindFile(Node, id));
    }

    [Fact]
    public async Task Storing_a_fragment_twice_succeeds_and_keeps_one_copy()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (FragmentId id, byte[] bytes) = Fragments.Random(3 << 20);
        await using PeerClient client = await Node.ConnectAsync(fixture.ClientCredentials, ct);

        await client.StoreAsync(id, bytes, ct);
        await client.StoreAsync(id, bytes, ct);

        byte[] fetched = new byte[bytes.Length];
        Assert.True(await client.FetchAsync(id, fetched, ct));
        Assert.Equal(bytes, fetched);
    }

    [Fact]
    public async Task Concurrent_uploads_interleave_on_one_connection()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (FragmentId Id, byte[] Bytes)[] fragments = [.. Enumerable.Range(0, 6).Select(i => Fragments.Random((i + 1) * 700_000))];
        await using PeerClient client = await Node.ConnectAsync(fixture.ClientCredentials, ct);

        await Task.WhenAll(fragments.Select(f => client.StoreAsync(f.Id, f.Bytes, ct)));

        foreach ((FragmentId id, byte[] bytes) in fragments)
        {
            byte[] fetched = new byte[bytes.Length];
            Assert.True(await client.FetchAsync(id, fetched, ct));
            Assert.Equal(bytes, fetched);
        }
    }

    [Fact]
    public async Task Zero_length_fragment_is_stored()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        FragmentId id = FragmentId.Compute([]);
        await using PeerClient client = await Node.ConnectAsync(fixture.ClientCredentials, ct);

        await client.StoreAsync(id, ReadOnlyMemory<byte>.Empty, ct);

        Assert.Contains(id, await client.HaveAsync([id], ct));
    }

    [Fact]
    public async Task Upload_with_the_wrong_hash_is_refused_and_leaves_nothing()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (FragmentId id, byte[] bytes) = Fragments.Random(2_500_000);
        bytes[1_234_567] ^= 0x40;
        await using PeerClient client = await Node.ConnectAsync(fixture.ClientCredentials, ct);

        PeerRequestException refused = await Assert.ThrowsAsync<PeerRequestException>(() => client.StoreAsync(id, bytes, ct));

        Assert.Equal(UglooErrorCodes.BadHash, refused.Code);
        Assert.Empty(await client.HaveAsync([id], ct));
        Assert.False(await client.FetchAsync(id, new byte[bytes.Length], ct));
        Assert.Null(Fragments.FindFile(Node, id));

        // The connection is still good for the next upload.
        (FragmentId good, byte[] goodBytes) = Fragments.Random(1000);
        await client.StoreAsync(good, goodBytes, ct);
    }

    [Fact]
    public async Task Fetch_of_an_absent_fragment_reports_not_found()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (FragmentId id, byte[] bytes) = Fragments.Random(1000);
        await using PeerClient client = await Node.ConnectAsync(fixture.ClientCredentials, ct);

        Assert.False(await client.FetchAsync(id, new byte[bytes.Length], ct));
    }

    [Fact]
    public async Task Corrupted_fragment_file_is_never_served()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (FragmentId id, byte[] bytes) = Fragments.Random(300_000);
        await using PeerClient client = await Node.ConnectAsync(fixture.ClientCredentials, ct);
        await client.StoreAsync(id, bytes, ct);
        string file = Fragments.FindFile(Node, id) ?? throw new InvalidOperationException("stored fragment has no file");

        // Bit rot in the middle of the file, same length.
        using (FileStream stream = File.Open(file, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 150_000;
            int b = stream.ReadByte();
            stream.Position = 150_000;
            stream.WriteByte((byte)(b ^ 0x01));
        }

        byte[] fetched = new byte[bytes.Length];
        Assert.False(await client.FetchAsync(id, fetched, ct));
        Assert.False(await client.FetchAsync(id, fetched, ct));
        Assert.Empty(await client.HaveAsync([id], ct));
        Assert.Null(Fragments.FindFile(Node, id));
        Assert.Contains(Node.DataDirectories, d => Directory.GetFiles(Path.Combine(d, "quarantine")).Any(f => Path.GetFileName(f).StartsWith(id.ToString(), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Client_with_another_cluster_key_is_refused()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var stranger = SwarmCredentials.ForClient(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        await Assert.ThrowsAsync<PeerUnavailableException>(() => Node.ConnectAsync(stranger, ct));
    }

    [Fact]
    public async Task Peer_that_knows_the_info_hash_but_not_the_key_cannot_store_but_can_fetch()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (FragmentId id, byte[] bytes) = Fragments.Random(50_000);
        await using (PeerClient member = await Node.ConnectAsync(fixture.ClientCredentials, ct))
        {
            await member.StoreAsync(id, bytes, ct);
        }

        await using RawPeer peer = await RawPeer.OpenAsync(Node.Port, RawPeer.Unauthenticated(fixture.ClusterKey), ct);
        Assert.False(peer.Connection.IsAuthenticated);
        peer.StartReceiving(ct);

        (FragmentId other, byte[] otherBytes) = Fragments.Random(2000);
        await peer.Connection.SendAsync(new UglooStore(7, other.ToArray(), otherBytes.Length, 0, otherBytes), ct);
        UglooStoreResult result = await peer.ReceiveAsync<UglooStoreResult>(ct);
        Assert.Equal(7, result.RequestId);
        Assert.Equal(UglooErrorCodes.Unauthorized, result.Error);

        // Fragments are ciphertext addressed by hash: any peer may read them, here a range.
        await peer.Connection.SendAsync(new UglooFetch(8, id.ToArray(), 1000, 3000), ct);
        UglooFetchData data = await peer.ReceiveAsync<UglooFetchData>(ct);
        Assert.True(data.Ok);
        Assert.Equal(8, data.RequestId);
        Assert.Equal(bytes.Length, data.TotalLength);
        Assert.Equal(1000, data.Offset);
        Assert.Equal(bytes.AsSpan(1000, 3000), data.Data.Span);

        await using PeerClient check = await Node.ConnectAsync(fixture.ClientCredentials, ct);
        Assert.Empty(await check.HaveAsync([other], ct));
    }

    [Fact]
    public async Task Membership_is_not_told_to_an_unauthenticated_peer_but_is_to_a_member()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using PeerClient member = await Node.ConnectAsync(fixture.ClientCredentials, ct);
        UglooPex view = await member.ExchangeMembersAsync([], ct);
        PexMember self = Assert.Single(view.Members);
        Assert.Equal(Node.Address, self.Address);
        Assert.Equal("up", self.State);
        Assert.True(self.CapacityBytes > 0);

        await using RawPeer peer = await RawPeer.OpenAsync(Node.Port, RawPeer.Unauthenticated(fixture.ClusterKey), ct);
        peer.StartReceiving(ct);
        await peer.Connection.SendAsync(new UglooPex([]), ct);
        await peer.Connection.SendAsync(new UglooHave(3, isQuery: true, []), ct);

        // Messages are answered in order on one connection: the have answer arriving first, with no pex
        // before it, shows the pex was ignored.
        UglooHave answer = await peer.ReceiveAsync<UglooHave>(ct);
        Assert.Equal(3, answer.RequestId);
        Assert.False(peer.HasReceived(UglooPex.Name));
    }
}

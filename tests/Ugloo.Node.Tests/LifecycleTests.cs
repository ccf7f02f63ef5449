using Ugloo.Engine.Objects;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests;

/// <summary>Capacity, crash and shutdown behaviour, each on its own node process.</summary>
public sealed class LifecycleTests : IDisposable
{
    private readonly TempDirectory _keys = new();
    private readonly string _keyPath;
    private readonly SwarmCredentials _client;

    public LifecycleTests()
    {
        _keyPath = NodeProcess.CreateClusterKey(_keys.Path, out byte[] key);
        _client = SwarmCredentials.ForClient(key);
    }

    public void Dispose()
    {
        _client.Dispose();
        _keys.Dispose();
    }

    [Fact]
    public async Task Node_with_small_capacity_answers_full_with_a_reason()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NodeProcess node = await NodeProcess.StartAsync(_keyPath, ct, "--capacity", "1M");
        await using PeerClient client = await node.ConnectAsync(_client, ct);
        (FragmentId small, byte[] smallBytes) = Fragments.Random(600_000);
        (FragmentId big, byte[] bigBytes) = Fragments.Random(600_000);

        await client.StoreAsync(small, smallBytes, ct);
        PeerRequestException refused = await Assert.ThrowsAsync<PeerRequestException>(() => client.StoreAsync(big, bigBytes, ct));

        Assert.Equal(UglooErrorCodes.Full, refused.Code);
        Assert.Contains("full", refused.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await client.HaveAsync([big], ct));
        Assert.Equal(0, Fragments.CountTempFiles(node));

        // The connection stays usable and what fits still fits.
        (FragmentId tiny, byte[] tinyBytes) = Fragments.Random(1000);
        await client.StoreAsync(tiny, tinyBytes, ct);
    }

    [Fact]
    public async Task Node_killed_and_restarted_serves_what_it_held()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NodeProcess node = await NodeProcess.StartAsync(_keyPath, ct);
        (FragmentId Id, byte[] Bytes)[] fragments = [Fragments.Random(10), Fragments.Random(1_000_000), Fragments.Random(2_200_000)];
        await using (PeerClient client = await node.ConnectAsync(_client, ct))
        {
            foreach ((FragmentId id, byte[] bytes) in fragments)
            {
                await client.StoreAsync(id, bytes, ct);
            }
        }

        // kill -9 right after the acknowledgements: acknowledged means durable.
        await node.RestartAsync(ct);

        await using PeerClient after = await node.ConnectAsync(_client, ct);
        foreach ((FragmentId id, byte[] bytes) in fragments)
        {
            byte[] fetched = new byte[bytes.Length];
            Assert.True(await after.FetchAsync(id, fetched, ct), node.Output);
            Assert.Equal(bytes, fetched);
        }
    }

    [Fact]
    public async Task Sigterm_during_an_upload_exits_zero_and_leaves_nothing_half_written()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NodeProcess node = await NodeProcess.StartAsync(_keyPath, ct);
        (FragmentId id, byte[] bytes) = Fragments.Random(3 << 20);
        (FragmentId done, byte[] doneBytes) = Fragments.Random(4000);

        await using (RawPeer peer = await RawPeer.OpenAsync(node.Port, _client.CreateConnectionOptions(), ct))
        {
            peer.StartReceiving(ct);
            await peer.Connection.SendAsync(new UglooStore(1, done.ToArray(), doneBytes.Length, 0, doneBytes), ct);
            Assert.True((await peer.ReceiveAsync<UglooStoreResult>(ct)).Ok);

            // First chunk of three, then the node is told to stop mid-upload.
            await peer.Connection.SendAsync(new UglooStore(2, id.ToArray(), bytes.Length, 0, bytes.AsMemory(0, 1 << 20)), ct);
            await peer.Connection.SendAsync(new UglooHave(3, isQuery: true, [done.ToArray()]), ct);
            await peer.ReceiveAsync<UglooHave>(ct); // the chunk before it was handled
            Assert.Equal(1, Fragments.CountTempFiles(node));

            int exitCode = await node.TerminateAsync(TimeSpan.FromSeconds(15));
            Assert.True(exitCode == 0, $"exit code {exitCode}\n{node.Output}");
        }

        Assert.Equal(0, Fragments.CountTempFiles(node));
        await node.RestartAsync(ct);
        await using PeerClient client = await node.ConnectAsync(_client, ct);
        Assert.Equal([done], await client.HaveAsync([id, done], ct));
    }
}
